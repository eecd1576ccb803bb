"""Systems that follow our events over AMQP keep their access across broker restarts, and
cannot touch each other's queues: a private RabbitMQ node (never the shared broker on 5672)
imports the definitions rendered by deploy/k8s/rabbitmq/render-definitions.sh, as compose
and Kubernetes do at every start, and is stopped and started again.

Before, the subscriber was a user with an empty password hash in the generated topology, so
every broker start reset whatever password an operator had set: it was locked out."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import amqp
import pytest

from stack.infra import free_port, port_open

ROOT = Path(__file__).resolve().parents[2]
RENDER = ROOT / "deploy/k8s/rabbitmq/render-definitions.sh"
TOPOLOGY = ROOT / "deploy/rabbitmq/definitions.json"   # the compose topology (classic queues)
# Debian's real scripts: the /usr/sbin wrappers switch to the rabbitmq user and its home.
DEBIAN_RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
START_SECONDS = 60
STOP_SECONDS = 30


def rabbitmq_tool(name: str) -> str:
    direct = DEBIAN_RABBITMQ_BIN / name
    found = str(direct) if direct.exists() else shutil.which(name)
    assert found, f"{name} is not installed (apt-get install rabbitmq-server)"
    return found


class PrivateNode:
    """One RabbitMQ node of this test's own: its name, ports, cookie, data and logs in a
    temporary directory, loopback only, no plugins."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.name = f"campaign-test-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.definitions = base / "definitions.json"
        self.process: subprocess.Popen[bytes] | None = None
        for directory in ("home", "mnesia", "log", "conf.d"):
            (base / directory).mkdir()
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq-env.conf").write_text("")   # not the system's (it names the node)
        (base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
            f"load_definitions = {self.definitions}\n")
        self.env = {
            "PATH": os.environ["PATH"], "HOME": str(base / "home"),   # its own Erlang cookie
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()), "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"), "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_CONFIG_FILES": str(base / "conf.d"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        }

    def render(self, users: dict[str, str]) -> None:
        """What compose's entrypoint and the Kubernetes init container do before each start."""
        subprocess.run(["sh", str(RENDER), str(TOPOLOGY), str(self.definitions)],
                       env={"PATH": os.environ["PATH"], **users}, check=True, timeout=30)

    def start(self) -> None:
        with open(self.base / "server.out", "ab") as output:
            self.process = subprocess.Popen([rabbitmq_tool("rabbitmq-server")], env=self.env,
                                            stdout=output, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        # the AMQP listener opens once the boot, definitions import included, is done
        while not port_open("127.0.0.1", self.port, timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"private RabbitMQ did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        assert self.process is not None
        subprocess.run([rabbitmq_tool("rabbitmqctl"), "-n", self.name, "stop"], env=self.env,
                       capture_output=True, timeout=STOP_SECONDS)
        self.process.wait(timeout=STOP_SECONDS)
        self.process = None

    def kill(self) -> None:
        """Cleanup whatever happened: a graceful stop, else the node's own process group."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.stop()
        except (subprocess.SubprocessError, OSError):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_SECONDS)

    def log_tail(self) -> str:
        logs = [self.base / "server.out", *sorted((self.base / "log").glob("*.log"))]
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in logs if p.exists())

    def connect(self, user: str, password: str) -> amqp.Connection:
        connection = amqp.Connection(f"127.0.0.1:{self.port}", userid=user, password=password,
                                     connect_timeout=5, read_timeout=5, write_timeout=5)
        connection.connect()
        return connection


@pytest.fixture
def node(tmp_path: Path) -> Iterator[PrivateNode]:
    private = PrivateNode(tmp_path)
    try:
        yield private
    finally:
        private.kill()


def refused(connection: amqp.Connection, action: Callable[[Any], object]) -> bool:
    """Whether the broker refuses the action (403) on a fresh channel."""
    channel = connection.channel()
    try:
        action(channel)
    except amqp.exceptions.AccessRefused:
        return True
    channel.close()
    return False


@pytest.mark.timeout(150)
def test_subscribers_keep_their_passwords_and_their_own_queues_across_a_restart(node):
    admin = {"RABBITMQ_USER": "campaign", "RABBITMQ_PASS": secrets.token_hex(16)}
    office, portal, portal_rotated = (secrets.token_hex(16) for _ in range(3))
    node.render({**admin, "EVENT_SUBSCRIBERS": f"one-stop-office:{office},portal:{portal}"})
    node.start()
    with node.connect("ext-one-stop-office", office) as connection:
        channel = connection.channel()
        channel.queue_declare("ext.one-stop-office.plans", durable=True, auto_delete=False)
        channel.queue_bind("ext.one-stop-office.plans", "plans.events", "plan.#")
    with node.connect("ext-portal", portal) as connection:
        channel = connection.channel()
        channel.queue_declare("ext.portal.all", durable=True, auto_delete=False)
        channel.queue_bind("ext.portal.all", "monitoring.events", "#")
    with node.connect(admin["RABBITMQ_USER"], admin["RABBITMQ_PASS"]) as connection:
        connection.channel().basic_publish(
            amqp.Message(b'{"type": "plan.issued"}', delivery_mode=2), "plans.events",
            "plan.issued")

    # The portal's password is rotated the documented way (in the environment), then the
    # broker restarts and imports the definitions again.
    node.render({**admin, "EVENT_SUBSCRIBERS":
                 f"one-stop-office:{office},portal:{portal_rotated}"})
    node.stop()
    node.start()

    with node.connect("ext-one-stop-office", office) as connection:
        message = connection.channel().basic_get("ext.one-stop-office.plans", no_ack=True)
        assert message is not None and message.body == b'{"type": "plan.issued"}'
        # another system's queue: not declared, bound, read, purged or deleted
        assert refused(connection, lambda ch: ch.queue_declare("ext.portal.mine",
                                                               durable=True))
        assert refused(connection, lambda ch: ch.queue_bind("ext.portal.all", "plans.events",
                                                            "#"))
        assert refused(connection, lambda ch: ch.basic_get("ext.portal.all"))
        assert refused(connection, lambda ch: ch.basic_consume("ext.portal.all"))
        assert refused(connection, lambda ch: ch.queue_purge("ext.portal.all"))
        assert refused(connection, lambda ch: ch.queue_delete("ext.portal.all"))
        # nor the platform's queues, nor publishing as if it were a service
        assert refused(connection, lambda ch: ch.basic_get("gateway.event-log"))

        assert refused(connection, lambda ch: ch.basic_publish_confirm(
            amqp.Message(b"{}"), "plans.events", "plan.issued", confirm_timeout=5))

    with pytest.raises(amqp.exceptions.AccessRefused):
        node.connect("ext-portal", portal).close()     # the old password is gone
    with node.connect("ext-portal", portal_rotated) as connection:
        _, messages, _ = connection.channel().queue_declare("ext.portal.all", passive=True)
        assert messages == 0

"""RabbitMQ and the database, started by the project itself when they are not running."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from services.runtime.settings import DEFAULT_AMQP_URI, SECANTUS_PORT, secantus_uri

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_port(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(host, port):
            return True
        time.sleep(0.2)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def say(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


# --- RabbitMQ ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broker:
    uri: str

    @property
    def parts(self) -> urllib.parse.SplitResult:
        return urllib.parse.urlsplit(self.uri)

    @property
    def host(self) -> str:
        return self.parts.hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return self.parts.port or 5672

    def with_vhost(self, vhost: str) -> str:
        p = self.parts
        return urllib.parse.urlunsplit((p.scheme, p.netloc, "/" + urllib.parse.quote(vhost, ""),
                                        "", ""))


def ensure_rabbitmq(uri: str | None = None) -> Broker:
    broker = Broker(uri or os.environ.get("AMQP_URI") or DEFAULT_AMQP_URI)
    if port_open(broker.host, broker.port):
        return broker
    if broker.host in ("127.0.0.1", "localhost") and shutil.which("rabbitmq-server"):
        say("RabbitMQ is not answering; starting it with `rabbitmq-server -detached`")
        subprocess.run(["rabbitmq-server", "-detached"], check=False)
        if wait_port(broker.host, broker.port, 90):
            return broker
    raise SystemExit(
        f"RabbitMQ does not answer at {broker.host}:{broker.port}. Start it "
        "(`rabbitmq-server -detached`), install it (`apt-get install rabbitmq-server`), or set "
        "AMQP_URI to a running broker.")


def _rabbitmqctl(*args: str) -> bool:
    if not shutil.which("rabbitmqctl"):
        return False
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True,
                          check=False, timeout=60)
    return done.returncode == 0


def _management(broker: Broker, method: str, path: str, body: dict[str, str] | None) -> bool:
    user = urllib.parse.unquote(broker.parts.username or "guest")
    password = urllib.parse.unquote(broker.parts.password or "guest")
    url = f"http://{broker.host}:15672/api/{path}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "content-type": "application/json",
        "authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()})
    try:
        with urllib.request.urlopen(req, timeout=5):
            return True
    except (urllib.error.URLError, OSError):
        return False


def create_vhost(broker: Broker, vhost: str) -> str:
    """A private virtual host for one test run; returns the AMQP URI to use."""
    user = urllib.parse.unquote(broker.parts.username or "guest")
    quoted = urllib.parse.quote(vhost, "")
    if port_open(broker.host, 15672) and _management(broker, "PUT", f"vhosts/{quoted}", {}) \
            and _management(broker, "PUT", f"permissions/{quoted}/{user}",
                            {"configure": ".*", "write": ".*", "read": ".*"}):
        return broker.with_vhost(vhost)
    if broker.host in ("127.0.0.1", "localhost") and _rabbitmqctl("add_vhost", vhost) \
            and _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*"):
        return broker.with_vhost(vhost)
    say("cannot create a private vhost (no management API, no rabbitmqctl); "
        "using the broker's default vhost")
    return broker.uri


def delete_vhost(broker: Broker, vhost: str) -> None:
    quoted = urllib.parse.quote(vhost, "")
    if port_open(broker.host, 15672) and _management(broker, "DELETE", f"vhosts/{quoted}", None):
        return
    if broker.host in ("127.0.0.1", "localhost"):
        _rabbitmqctl("delete_vhost", vhost)


def create_user(broker: Broker, name: str, password: str, vhost: str,
                permissions: tuple[str, str, str]) -> bool:
    """A broker user with (configure, write, read) permissions on one vhost, as the deploy
    files give a subscribing system; False when neither the management API nor rabbitmqctl
    can make it."""
    quoted, user = urllib.parse.quote(vhost, ""), urllib.parse.quote(name, "")
    configure, write, read = permissions
    if port_open(broker.host, 15672):
        return _management(broker, "PUT", f"users/{user}", {"password": password, "tags": ""}) \
            and _management(broker, "PUT", f"permissions/{quoted}/{user}",
                            {"configure": configure, "write": write, "read": read})
    return broker.host in ("127.0.0.1", "localhost") \
        and _rabbitmqctl("add_user", name, password) \
        and _rabbitmqctl("set_permissions", "-p", vhost, name, configure, write, read)


def delete_user(broker: Broker, name: str) -> None:
    if port_open(broker.host, 15672):
        _management(broker, "DELETE", f"users/{urllib.parse.quote(name, '')}", None)
    elif broker.host in ("127.0.0.1", "localhost"):
        _rabbitmqctl("delete_user", name)


# --- servers of our own (database, Redis) ----------------------------------------------------


class LocalServer:
    """A server process this run started (none when one already listened on its port), in a
    session of its own, stopped with it: terminated, then killed if it does not stop in time."""

    name = "server"
    start_timeout = 20.0
    stop_timeout = 10.0

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        raise NotImplementedError

    def command(self) -> tuple[list[str], Path]:
        """What starts the server, and the file its output goes to."""
        raise NotImplementedError

    def started_note(self) -> str:
        return ""

    def start(self) -> str:
        """Starts the server unless one listens on its port already (another `make run` or
        `make test`, or the machine's: shared then); its URI either way."""
        if port_open("127.0.0.1", self.port):
            return self.uri
        command, log_path = self.command()
        log = open(log_path, "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        if not wait_port("127.0.0.1", self.port, self.start_timeout):
            self.stop()
            raise SystemExit(f"{self.name} did not start on port {self.port}; see {log.name}")
        say(f"started {self.name} on 127.0.0.1:{self.port}{self.started_note()}")
        return self.uri

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


class LocalDatabase(LocalServer):
    """SecantusDB (a MongoDB wire-protocol server) in its own process, when MONGODB_URI is
    unset. `--sync-on-commit` makes acknowledged writes survive a kill -9. `--standalone`: a
    standalone server, like the MongoDB of docker-compose.yml; advertised as a replica set,
    SecantusDB keeps an oplog for change streams, which nothing here uses, and pruning it
    took a large share of its CPU on item inserts (docs/decisions/0002-database-writes-by-id.md)."""

    name = "SecantusDB"
    start_timeout = 60.0
    stop_timeout = 20.0

    def __init__(self, port: int = SECANTUS_PORT, data_dir: Path | None = None) -> None:
        super().__init__(port)
        self.data_dir = data_dir or VAR / "secantus"

    @property
    def uri(self) -> str:
        return secantus_uri(self.port)

    def command(self) -> tuple[list[str], Path]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        exe = Path(sys.executable).with_name("secantusd-py")
        return ([str(exe), "--host", "127.0.0.1", "--port", str(self.port),
                 "--storage-path", str(self.data_dir), "--sync-on-commit", "--standalone",
                 "--log-level", "WARNING"], self.data_dir.parent / f"secantus-{self.port}.log")

    def started_note(self) -> str:
        return f" (data in {self.data_dir})"


Server = TypeVar("Server", bound=LocalServer)


def ensure_server(variable: str, local: Callable[[], Server]) -> tuple[str, Server | None]:
    """The URI the environment variable names, else a local server's (one listening on its
    port already, or one this call starts), and the server this call started (to stop)."""
    uri = os.environ.get(variable)
    if uri:
        return uri, None
    server = local()
    started = server.start()
    return started, server if server.process is not None else None


def ensure_database() -> tuple[str, LocalDatabase | None]:
    """The MongoDB URI to use, and the local server we started (to stop), if any."""
    return ensure_server("MONGODB_URI", LocalDatabase)


# --- Redis (the gateway's shared rate limits) ------------------------------------------------

REDIS_PORT = 6379


class LocalRedis(LocalServer):
    """A `redis-server` of our own when none listens on 127.0.0.1:6379: counters only, so no
    snapshots (scripts/ensure-redis.sh installs the Debian package where it is missing). One
    already listening (the machine's, or another run's) is shared: keys are prefixed."""

    name = "redis-server"

    def __init__(self, port: int = REDIS_PORT) -> None:
        super().__init__(port)

    @property
    def uri(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> tuple[list[str], Path]:
        exe = shutil.which("redis-server")
        if exe is None:
            raise SystemExit("redis-server is not installed: run scripts/ensure-redis.sh")
        VAR.mkdir(parents=True, exist_ok=True)
        return ([exe, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                 "--appendonly", "no"], VAR / f"redis-{self.port}.log")


def ensure_redis() -> tuple[str, LocalRedis | None]:
    """The Redis URI to use (REDIS_URI, or a local server), and the one we started, if any."""
    return ensure_server("REDIS_URI", LocalRedis)

"""The four service processes, each in its own process group, logs prefixed by name."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO

from stack.infra import ROOT, Broker, create_vhost, delete_vhost, free_port

NAMEKO_SERVICES = {
    "plans": "services.plans.service:PlansService",
    "notifications": "services.notifications.service:NotificationsService",
    "monitoring": "services.monitoring.service:MonitoringService",
}
COLOURS = {"plans": 34, "notifications": 35, "monitoring": 36, "gateway": 33}


def command_for(service: str) -> list[str]:
    if service == "gateway":
        return [sys.executable, "-m", "services.gateway"]
    return [sys.executable, "-m", "services.runtime.nameko_ext.launcher",
            NAMEKO_SERVICES[service]]


def render(service: str, line: str, colour: bool) -> str:
    """A log line for humans: `[plans] INFO message key=value`."""
    try:
        entry = json.loads(line)
    except ValueError:
        entry = None
    if isinstance(entry, dict) and "msg" in entry:
        extras = " ".join(f"{k}={v}" for k, v in entry.items()
                          if k not in {"ts", "level", "service", "logger", "msg", "exc"})
        text = f"{entry.get('level', '')} {entry['msg']} {extras}".rstrip()
        if entry.get("exc"):
            text += "\n" + str(entry["exc"])
    else:
        text = line
    tag = f"[{service}]"
    if colour:
        tag = f"\033[{COLOURS.get(service, 37)}m{tag}\033[0m"
    return f"{tag} {text}"


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    echo: bool = True
    process: subprocess.Popen[str] | None = None
    lines: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(
            command_for(self.name), cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace", bufsize=1,
            start_new_session=True)  # own process group: Ctrl-C goes through us, not around us
        threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True).start()

    def _pump(self, stream: IO[str] | None) -> None:
        if stream is None:
            return
        colour = sys.stdout.isatty()
        for line in stream:
            line = line.rstrip("\n")
            self.lines.append(line)
            if len(self.lines) > 2000:
                del self.lines[:1000]
            if self.echo:
                print(render(self.name, line, colour), flush=True)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive() and self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """kill -9 the whole process group (fault tests)."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()


@dataclass
class Platform:
    """The four services started with one environment."""

    env: dict[str, str]
    gateway_port: int
    metrics_ports: dict[str, int]
    echo: bool = True
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    @classmethod
    def configure(cls, base_env: Mapping[str, str], gateway_port: int | None = None,
                  metrics_ports: dict[str, int] | None = None, echo: bool = True) -> Platform:
        ports = metrics_ports or {name: free_port() for name in NAMEKO_SERVICES}
        return cls(dict(base_env), gateway_port or free_port(), ports, echo)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def env_for(self, name: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1", **(overrides or {})}
        if name == "gateway":
            env["PORT"] = str(self.gateway_port)
        else:
            env["METRICS_PORT"] = str(self.metrics_ports[name])
        return env

    def start(self, names: tuple[str, ...] = ("plans", "notifications", "monitoring",
                                                "gateway"),
              overrides: Mapping[str, str] | None = None) -> None:
        """Start processes; `overrides` changes the environment of these ones only (fault
        tests route one service through a proxy, or arm a failpoint)."""
        for name in names:
            proc = ServiceProcess(name, self.env_for(name, overrides), echo=self.echo)
            proc.start()
            self.processes[name] = proc

    def restart(self, name: str, overrides: Mapping[str, str] | None = None) -> None:
        self.processes[name].stop()
        self.start((name,), overrides)

    def wait_ready(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        last = ""
        while time.monotonic() < deadline:
            dead = [n for n, p in self.processes.items() if not p.alive()]
            if dead:
                tail = "\n".join(self.processes[dead[0]].lines[-30:])
                raise RuntimeError(f"{dead[0]} exited during start:\n{tail}")
            try:
                with urllib.request.urlopen(f"{self.gateway_url}/readyz", timeout=3) as resp:
                    if resp.status == 200:
                        return
            except OSError as exc:
                last = str(exc)
            time.sleep(0.3)
        raise RuntimeError(f"platform not ready after {seconds}s: {last}")

    def stop(self) -> None:
        # The gateway first, so no new work arrives while the services drain.
        for name in ("gateway", "plans", "notifications", "monitoring"):
            if name in self.processes:
                self.processes[name].stop()


@contextlib.contextmanager
def private_platform(broker: Broker, base_env: Mapping[str, str], name: str,
                     overrides: Mapping[str, str] | None = None) -> Iterator[Platform]:
    """A second platform on its own vhost and databases, ready, for tests whose writes
    (fuzzing, organisation-wide units) must not reach the session platform that other tests
    count on. Without a private vhost, services of a second stack would share the session's
    queues: then only a gateway runs, in front of the session's services."""
    vhost = f"campaign-test-{name}-{uuid.uuid4().hex[:6]}"
    amqp_uri = create_vhost(broker, vhost)
    private = amqp_uri != broker.uri
    platform = Platform.configure({**base_env, "AMQP_URI": amqp_uri,
                                   "DB_PREFIX": f"{base_env.get('DB_PREFIX', '')}{name}_",
                                   **(overrides or {})}, echo=False)
    try:
        platform.start(("plans", "notifications", "monitoring", "gateway") if private
                       else ("gateway",))
        platform.wait_ready(90)
        yield platform
    finally:
        platform.stop()
        if private:
            delete_vhost(broker, vhost)

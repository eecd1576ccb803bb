"""Infrastructure that fault tests may break: a private RabbitMQ node and a private database
process on their own ports and data folders, and a TCP proxy that injects network faults.

Nothing here touches the shared broker or database: killing these harms nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from stack.infra import LocalDatabase, free_port, port_open, wait_port


class PrivateRabbitMQ:
    """A RabbitMQ node of its own (name, port, data folder), started from the installed
    `rabbitmq-server`. Stopping or killing it does not affect the machine's broker."""

    def __init__(self, base: Path | None = None) -> None:
        if not shutil.which("rabbitmq-server"):
            raise RuntimeError("rabbitmq-server is not installed: fault tests need it "
                               "(apt-get install rabbitmq-server)")
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"fault{self.port}@localhost"
        self.base = base or Path(tempfile.mkdtemp(prefix="campaign-rabbit-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def _prepare(self) -> dict[str, str]:
        for sub in ("mnesia", "log"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n"
            "heartbeat = 5\n")
        if os.geteuid() == 0:
            shutil.chown(self.base, "rabbitmq", "rabbitmq")
            for path in self.base.rglob("*"):
                shutil.chown(path, "rabbitmq", "rabbitmq")
        return {**os.environ,
                "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.base / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
                "RABBITMQ_PID_FILE": str(self.base / "pid")}

    def start(self, timeout: float = 90) -> None:
        env = self._prepare()
        (self.base / "pid").unlink(missing_ok=True)
        log = open(self.base / "server.out", "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(["rabbitmq-server"], env=env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_port("127.0.0.1", self.port, timeout):
            raise RuntimeError(f"private RabbitMQ did not start; see {self.base}/server.out")

    def _beam_pid(self) -> int | None:
        try:
            return int((self.base / "pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """Graceful stop (the node flushes and closes connections)."""
        self._signal_and_wait(signal.SIGTERM)

    def kill(self) -> None:
        """kill -9 the broker's Erlang VM."""
        self._signal_and_wait(signal.SIGKILL)

    def _signal_and_wait(self, sig: signal.Signals) -> None:
        pid = self._beam_pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        self._wait_down()

    def _wait_down(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while port_open("127.0.0.1", self.port, 0.2) and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.process is not None:
            try:
                self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process = None

    def destroy(self) -> None:
        # Whatever state it is in (running, half started, already down), nothing survives.
        self.kill()
        shutil.rmtree(self.base, ignore_errors=True)


class PrivateDatabase(LocalDatabase):
    """SecantusDB on its own port and folder, with `kill()` for kill -9 tests."""

    def __init__(self) -> None:
        super().__init__(port=free_port(),
                         data_dir=Path(tempfile.mkdtemp(prefix="campaign-db-")) / "data")

    def kill(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


class FaultyProxy:
    """A TCP proxy between a client and a server that can add latency, reset every
    connection, or stall (accept and forward nothing)."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.latency = 0.0
        self.stalled = False
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                self._track(sock)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while self._running:
                data = source.recv(65536)
                if not data:
                    break
                while self.stalled and self._running:
                    time.sleep(0.05)
                if self.latency:
                    time.sleep(self.latency)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def reset_all(self) -> int:
        """Abort every open connection with a TCP RST."""
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            try:
                # Linger on with a zero timeout: close() sends RST, not FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
            except OSError:
                pass
        return len(sockets)

    def close(self) -> None:
        self._running = False
        self.stalled = False
        self._listener.close()
        self.reset_all()

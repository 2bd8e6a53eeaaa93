"""A redis-server of a test's own, on a free port, that the test may kill and start again
(on the same port: the hub's processes find it where they left it)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.support.environment import redis_available, require_service
from tests.support.live import free_port


class RedisServer:
    def __init__(self, folder: Path):
        self.program = shutil.which("redis-server")
        require_service("redis-server", self.program is not None)
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(  # noqa: S603 (a fixed program and arguments)
            [str(self.program), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not redis_available(self.url):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        """Gone at once, as a crashed Redis: no goodbye to the connected clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

"""Running the ``lambda-processor`` CLI as a user does: in subprocesses, with a clean environment.

``UpProcess`` is a background ``lambda-processor up``; conftest.py starts it when the session
begins (if CLI tests are selected) so its terraform apply overlaps the other e2e modules.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import psutil
from e2e_support import wait_until

READY_LINE = "Embedded AWS ready"
UP_START_TIMEOUT_S = 240


def cli_command() -> list[str]:
    """The installed ``lambda-processor`` script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).parent / "lambda-processor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "lambda_processor"]


def cli_environment() -> dict[str, str]:
    """No AWS_* from the caller (the sandbox is named explicitly), and a wide plain terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb")
    return env


class UpProcess:
    """A running ``lambda-processor up``: its output lines, endpoint and directory."""

    def __init__(self, config_dir: Path, port: int, log_dir: Path):
        self.config_dir = config_dir
        self.port = port
        self.lines: list[str] = []
        self.stderr_path = log_dir / "up.stderr"
        self._stderr = self.stderr_path.open("w")
        self.process = subprocess.Popen(
            [*cli_command(), "up", str(config_dir), "--port", str(port)],
            stdout=subprocess.PIPE, stderr=self._stderr, text=True, env=cli_environment(),
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def describe(self) -> str:
        return f"up exited {self.process.poll()}\nstdout:\n{self.output}\nstderr:\n{self.stderr_path.read_text()[-3000:]}"

    def wait_ready(self) -> None:
        wait_until(lambda: any(READY_LINE in line for line in self.lines) or self.process.poll() is not None,
                   self.describe, timeout=UP_START_TIMEOUT_S)
        assert self.process.poll() is None, self.describe()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.process.poll() is None:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                child.kill()
            self.process.kill()
            self.process.wait(10)
        self._stderr.close()


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """One CLI command to completion."""
    return subprocess.run([*cli_command(), *args], capture_output=True, text=True, env=cli_environment(),
                          input=stdin, timeout=120)

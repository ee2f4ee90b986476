"""Reads one environment's log pipe (the worker's fd 1 and 2) into timestamped lines.

The reader lives in the parent, not the worker, so output written before a timeout
or a crash is kept. Workers end each invocation's output with a marker line; the
invoking thread waits for it so an invocation's log lines are complete and ordered.
"""

from __future__ import annotations

import os
import threading
import time

LOG_END_MARKER_PREFIX = b"\x1eLPEND "
LOG_END_MARKER_SUFFIX = b"\x1e"

#: CloudWatch Logs' maximum event size; longer output lines are split at this size.
MAX_LINE_BYTES = 256 * 1024


class LogCapture:
    """A daemon thread that turns a pipe into ``(timestamp_ms, line)`` entries."""

    def __init__(self, read_fd: int, name: str):
        self._fd = read_fd
        self._lines: list[tuple[int, str]] = []
        self._markers: set[str] = set()
        self._eof = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"logs-{name}", daemon=True)
        self._thread.start()

    def take(self) -> list[tuple[int, str]]:
        """Remove and return every line captured so far."""
        with self._condition:
            lines, self._lines = self._lines, []
            return lines

    def wait_for_marker(self, marker: str, timeout: float) -> bool:
        """Block until the worker's end marker ``marker`` arrived (or EOF / timeout)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while marker not in self._markers:
                remaining = deadline - time.monotonic()
                if self._eof or remaining <= 0:
                    return False
                self._condition.wait(remaining)
            self._markers.discard(marker)
            return True

    def wait_for_eof(self, timeout: float) -> None:
        """Wait until the pipe closed (the worker and its children are gone)."""
        self._thread.join(timeout)

    def _run(self) -> None:
        pending = bytearray()
        try:
            while True:
                chunk = os.read(self._fd, 65536)
                if not chunk:
                    break
                pending += chunk
                self._consume(pending)
        except OSError:
            pass
        finally:
            with self._condition:
                if pending:
                    self._lines.append((_now_ms(), _decode(bytes(pending))))
                self._eof = True
                self._condition.notify_all()
            os.close(self._fd)

    def _consume(self, pending: bytearray) -> None:
        stamp = _now_ms()
        lines: list[tuple[int, str]] = []
        markers: list[str] = []
        while True:
            newline = pending.find(b"\n")
            if newline < 0:
                if len(pending) >= MAX_LINE_BYTES:
                    lines.append((stamp, _decode(bytes(pending[:MAX_LINE_BYTES]))))
                    del pending[:MAX_LINE_BYTES]
                    continue
                break
            raw = bytes(pending[:newline])
            del pending[: newline + 1]
            marker_at = raw.find(LOG_END_MARKER_PREFIX)
            if marker_at >= 0 and raw.endswith(LOG_END_MARKER_SUFFIX):
                if marker_at > 0:  # output without a trailing newline, then the marker
                    lines.append((stamp, _decode(raw[:marker_at])))
                markers.append(raw[marker_at + len(LOG_END_MARKER_PREFIX) : -1].decode())
                continue
            for start in range(0, max(len(raw), 1), MAX_LINE_BYTES):
                lines.append((stamp, _decode(raw[start : start + MAX_LINE_BYTES])))
        if lines or markers:
            with self._condition:
                self._lines.extend(lines)
                self._markers.update(markers)
                if markers:
                    self._condition.notify_all()


def _now_ms() -> int:
    return int(time.time() * 1000)


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")

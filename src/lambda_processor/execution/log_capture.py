"""Splits a worker's log pipe (its fd 1 and 2) into lines and end-of-invocation markers.

Pure: bytes and a timestamp in, ``(timestamp_ms, line)`` entries and markers out. The
environment reads the pipe only while an invocation (or the Init phase) runs, in the
invoking thread. Between invocations nobody reads it, so a handler's background
thread that keeps printing blocks once the pipe buffer is full, much as AWS freezes
an idle environment; that output is delivered with the next invocation.

Workers end each invocation's output with ``\\x1eLPEND <request id>\\x1e\\n``.
"""

from __future__ import annotations

LOG_END_MARKER_PREFIX = b"\x1eLPEND "
LOG_END_MARKER_SUFFIX = b"\x1e"

#: CloudWatch Logs' maximum event size; longer output lines are split at this size.
MAX_LINE_BYTES = 256 * 1024


class LogLineSplitter:
    """Accumulates pipe bytes; yields complete lines and the markers seen."""

    def __init__(self) -> None:
        self._pending = bytearray()

    def feed(self, data: bytes, now_ms: int) -> tuple[list[tuple[int, str]], list[str]]:
        """Add bytes read from the pipe; return the lines and markers they complete."""
        pending = self._pending
        pending += data
        lines: list[tuple[int, str]] = []
        markers: list[str] = []
        while True:
            newline = pending.find(b"\n")
            if newline < 0:
                while len(pending) >= MAX_LINE_BYTES:
                    lines.append((now_ms, _decode(bytes(pending[:MAX_LINE_BYTES]))))
                    del pending[:MAX_LINE_BYTES]
                break
            raw = bytes(pending[:newline])
            del pending[: newline + 1]
            marker_at = raw.find(LOG_END_MARKER_PREFIX)
            if marker_at >= 0 and raw.endswith(LOG_END_MARKER_SUFFIX):
                if marker_at > 0:  # output without a trailing newline, then the marker
                    lines.append((now_ms, _decode(raw[:marker_at])))
                markers.append(raw[marker_at + len(LOG_END_MARKER_PREFIX) : -1].decode())
                continue
            for start in range(0, max(len(raw), 1), MAX_LINE_BYTES):
                lines.append((now_ms, _decode(raw[start : start + MAX_LINE_BYTES])))
        return lines, markers

    def flush(self, now_ms: int) -> list[tuple[int, str]]:
        """The unterminated last line, once the pipe has closed."""
        if not self._pending:
            return []
        line = (now_ms, _decode(bytes(self._pending)))
        self._pending.clear()
        return [line]


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")

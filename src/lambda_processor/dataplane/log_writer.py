"""Buffers function log lines and writes them to the sandbox's CloudWatch Logs.

Execution environments produce ``(timestamp_ms, line)`` pairs per invocation; AWS puts them
in ``/aws/lambda/<name>`` under the environment's log stream. Writes are batched so that a
busy function costs one PutLogEvents per stream per flush, not one per line.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Protocol


class LogSink(Protocol):
    def __call__(self, log_group: str, log_stream: str, events: list[dict]) -> None:
        """Store ``events`` (``{"timestamp": ms, "message": str}``) in the stream, creating it if needed."""


class LogWriter:
    """Thread-safe buffer in front of a LogSink."""

    def __init__(self, sink: LogSink):
        self._sink = sink
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str], list[dict]] = defaultdict(list)

    def __call__(self, log_group: str, log_stream: str, lines: list[tuple[int, str]]) -> None:
        """Queue lines for a stream; the signature matches FunctionRuntime's ``log_sink``."""
        with self._lock:
            self._pending[(log_group, log_stream)].extend(
                {"timestamp": int(ts), "message": message} for ts, message in lines
            )

    def flush(self) -> int:
        """Write everything queued; return the number of events written."""
        with self._lock:
            pending, self._pending = self._pending, defaultdict(list)
        written = 0
        for (group, stream), events in pending.items():
            events.sort(key=lambda e: e["timestamp"])
            for start in range(0, len(events), 10_000):
                chunk = events[start : start + 10_000]
                self._sink(group, stream, chunk)
                written += len(chunk)
        return written

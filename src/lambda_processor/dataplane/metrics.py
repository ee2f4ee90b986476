"""Lambda's CloudWatch metrics (MET-1, MET-2), aggregated per function and minute.

Invocations, Errors and Throttles are counts; Duration keeps every sample so that
percentile statistics (p99 alarms, dashboard widgets) stay exact; ConcurrentExecutions is
the maximum seen in the minute. A flush hands the minute's data to a sink in the
``PutMetricData`` shape, so the sandbox's CloudWatch answers ``GetMetricStatistics`` and
``GetMetricData`` the way AWS would.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Protocol

NAMESPACE = "AWS/Lambda"
DURATION_HISTORY = 200_000  # lifetime samples kept per function for summaries


class MetricSink(Protocol):
    def __call__(self, namespace: str, metric_data: list[dict]) -> None:
        """Store ``metric_data`` (PutMetricData ``MetricData`` entries) under ``namespace``."""


@dataclass
class _Minute:
    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    durations: list[float] = field(default_factory=list)
    max_concurrency: int = 0


@dataclass(frozen=True)
class FunctionTotals:
    """Lifetime counters for ``status``."""

    invocations: int
    errors: int
    throttles: int
    in_flight: int
    cold_starts: int


class LambdaMetrics:
    """Thread-safe recorder; ``flush`` publishes what accumulated since the last flush."""

    def __init__(self, sink: MetricSink | None = None, *, clock: Callable[[], float]):
        self._sink = sink
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, int], _Minute] = defaultdict(_Minute)
        self._totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        self._in_flight: dict[str, int] = defaultdict(int)
        self._durations: dict[str, list[float]] = defaultdict(list)

    def _minute(self, function_name: str, at: float) -> _Minute:
        return self._pending[(function_name, int(at // 60) * 60)]

    def invocation_started(self, function_name: str) -> None:
        with self._lock:
            self._in_flight[function_name] += 1

    def invocation_finished(
        self, function_name: str, *, started_at: float, duration_ms: float, error: bool, cold_start: bool
    ) -> None:
        """Count one invocation; its datapoint is timestamped at its start (MET-1)."""
        with self._lock:
            # Concurrency is sampled when an invocation ends: everything still in flight ran
            # alongside it, so the largest sample in a minute is that minute's peak.
            concurrent = self._in_flight[function_name]
            self._in_flight[function_name] -= 1
            minute = self._minute(function_name, started_at)
            minute.max_concurrency = max(minute.max_concurrency, concurrent)
            minute.invocations += 1
            minute.errors += int(error)
            minute.durations.append(round(duration_ms, 3))
            if len(self._durations[function_name]) < DURATION_HISTORY:
                self._durations[function_name].append(duration_ms)
            totals = self._totals[function_name]
            totals[0] += 1
            totals[1] += int(error)
            totals[4] += int(cold_start)

    def invocation_aborted(self, function_name: str) -> None:
        """An invocation that never ran (throttled, or the runtime failed to start)."""
        with self._lock:
            self._in_flight[function_name] -= 1

    def throttled(self, function_name: str) -> None:
        """A throttle counts in Throttles only, never in Invocations or Errors (INV-13)."""
        with self._lock:
            self._minute(function_name, self._clock()).throttles += 1
            self._totals[function_name][2] += 1

    def totals(self) -> dict[str, FunctionTotals]:
        with self._lock:
            return {
                name: FunctionTotals(t[0], t[1], t[2], self._in_flight.get(name, 0), t[4])
                for name, t in self._totals.items()
            }

    def duration_percentiles(self, function_name: str, percentiles: tuple[float, ...] = (50, 99)) -> dict[float, float]:
        """Nearest-rank percentiles of every duration recorded so far (empty when none)."""
        with self._lock:
            samples = sorted(self._durations.get(function_name, ()))
        if not samples:
            return {}
        return {p: samples[min(len(samples) - 1, max(0, -(-len(samples) * p // 100) - 1))] for p in percentiles}

    def ensure_function(self, function_name: str) -> None:
        with self._lock:
            self._totals[function_name]  # noqa: B018 - creates the zero entry

    def flush(self) -> int:
        """Publish pending datapoints to the sink; return how many MetricData entries were sent."""
        with self._lock:
            pending, self._pending = self._pending, defaultdict(_Minute)
        data = []
        for (function_name, minute_start), minute in sorted(pending.items()):
            data.extend(_metric_data(function_name, minute_start, minute))
        if data and self._sink is not None:
            for start in range(0, len(data), 500):
                self._sink(NAMESPACE, data[start : start + 500])
        return len(data)


def _stat_set(values: list[float]) -> dict:
    return {"SampleCount": float(len(values)), "Sum": float(sum(values)), "Minimum": float(min(values)), "Maximum": float(max(values))}


def _metric_data(function_name: str, minute_start: int, minute: _Minute) -> list[dict]:
    timestamp = datetime.fromtimestamp(minute_start, tz=timezone.utc)
    dims = [{"Name": "FunctionName", "Value": function_name}]

    def datum(name: str, unit: str, **value) -> dict:
        return {"MetricName": name, "Dimensions": dims, "Timestamp": timestamp, "Unit": unit, **value}

    data = []
    if minute.invocations:
        data.append(datum("Invocations", "Count", StatisticValues=_stat_set([1.0] * minute.invocations)))
        # Errors is emitted alongside Invocations (0 when none failed) so error-rate math works.
        errors = [1.0] * minute.errors + [0.0] * (minute.invocations - minute.errors)
        data.append(datum("Errors", "Count", StatisticValues=_stat_set(errors)))
        data.append(datum("Duration", "Milliseconds", Values=minute.durations))
    if minute.throttles:
        data.append(datum("Throttles", "Count", StatisticValues=_stat_set([1.0] * minute.throttles)))
    if minute.max_concurrency:
        data.append(datum("ConcurrentExecutions", "Count", Value=float(minute.max_concurrency)))
    return data

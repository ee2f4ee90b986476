"""Turn stored metric samples into one value per aligned period (pure).

CloudWatch aggregates the datapoints of a metric into periods aligned to the epoch
(``start // period * period``) and computes one statistic per period: Sum, SampleCount,
Average, Minimum, Maximum, or a percentile ``pNN`` (ALM-4). Samples are either single
values or pre-aggregated statistic sets (``PutMetricData`` ``StatisticValues``);
percentiles use the single values only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from .alarm_semantics import aggregate, percentile_of


@dataclass(frozen=True)
class Sample:
    """One stored datapoint: a value (count 1) or a statistic set."""

    timestamp: float
    sample_count: float
    sum: float
    minimum: float
    maximum: float
    value: float | None = None  # set for single values; percentiles need them

    @classmethod
    def of(cls, timestamp: float, value: float) -> "Sample":
        return cls(timestamp, 1.0, value, value, value, value)


def period_values(samples: Iterable[Sample], stat: str, period: int, start: float, end: float
                  ) -> tuple[dict[int, float], dict[int, int]]:
    """``({period_start: value}, {period_start: sample_count})`` for periods in [start, end)."""
    buckets: dict[int, list[Sample]] = defaultdict(list)
    for sample in samples:
        if start <= sample.timestamp < end:
            buckets[int(sample.timestamp // period * period)].append(sample)
    values: dict[int, float] = {}
    counts: dict[int, int] = {}
    for bucket_start, bucket in buckets.items():
        count = sum(s.sample_count for s in bucket)
        counts[bucket_start] = int(count)
        if stat == "Sum":
            values[bucket_start] = sum(s.sum for s in bucket)
        elif stat == "SampleCount":
            values[bucket_start] = count
        elif stat == "Average":
            values[bucket_start] = sum(s.sum for s in bucket) / count if count else 0.0
        elif stat == "Minimum":
            values[bucket_start] = min(s.minimum for s in bucket)
        elif stat == "Maximum":
            values[bucket_start] = max(s.maximum for s in bucket)
        else:
            percentile_of(stat)  # validates "pNN"
            singles = [s.value for s in bucket if s.value is not None]
            if singles:
                values[bucket_start] = aggregate(singles, stat)
    return values, counts

"""CloudWatch metric alarm evaluation (aws-semantics.md §6, ALM-1..ALM-11): pure logic.

``evaluate_alarm`` takes one value per period (already aggregated with ``aggregate``;
``None`` = no data), the evaluation time and the current state, and returns the state
the alarm should be in with AWS-style reason text. The alarm runner owns the clock, reads
the metrics and writes state changes.

The missing-data algorithm (ALM-5..ALM-9) in AWS's words, and how it is applied here:
CloudWatch looks at an *evaluation range* a little longer than N periods (N + 2 here:
5 for N = 3, as in AWS's tables). All of it missing -> the TreatMissingData outcome.
At least N real datapoints -> the most recent N real ones decide, the missing-data setting
is ignored. Fewer -> every real datapoint in the range counts and the shortfall is filled
with the missing-data treatment (breaching / notBreaching); ``missing`` and ``ignore``
fill nothing, but the premature-alarm rule applies: when every real datapoint is breaching
and the oldest is at least M periods old, ``missing`` goes to ALARM and ``ignore`` keeps
the state. (The "every real datapoint" condition is what AWS's 2-of-3 row ``0 - X - -``
staying OK requires.)
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Sequence

from lambda_processor.errors import ConfigError, LambdaProcessorError

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
INITIAL_STATE = INSUFFICIENT_DATA  # ALM-1

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
TREAT_MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
RANGE_EXTRA_PERIODS = 2  # ALM-6: N = 3 -> 5 periods fetched

COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}
ANOMALY_COMPARISONS = (
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
_PERCENTILE = re.compile(r"^p(\d{1,3}(?:\.\d+)?)$")


class AlarmSpecError(ConfigError):
    """An alarm's settings break a CloudWatch rule."""


def percentile_of(extended_statistic: str) -> float:
    """``p99`` -> 99.0; raises AlarmSpecError for anything but ``p0.0``..``p100``."""
    match = _PERCENTILE.match(extended_statistic)
    if not match or not 0.0 <= float(match.group(1)) <= 100.0:
        raise AlarmSpecError(
            f"unsupported extended statistic {extended_statistic!r}",
            where="alarm.extended_statistic",
            hint="use a percentile p0.0-p100, e.g. p99 (ALM-4)",
        )
    return float(match.group(1))


@dataclass(frozen=True)
class AlarmSpec:
    """A metric alarm's evaluation settings (PutMetricAlarm fields)."""

    period: int
    evaluation_periods: int
    threshold: float
    comparison_operator: str
    statistic: str | None = None
    extended_statistic: str | None = None
    datapoints_to_alarm: int | None = None  # default: evaluation_periods
    treat_missing_data: str = "missing"
    evaluate_low_sample_count_percentile: str | None = None  # "evaluate" (default) | "ignore"
    namespace: str | None = None

    def __post_init__(self) -> None:
        def fail(field_name: str, message: str, rule: str) -> None:
            raise AlarmSpecError(message, where=f"alarm.{field_name}", hint=rule)

        if not (self.period in (10, 20, 30) or (self.period > 0 and self.period % 60 == 0)):
            fail("period", f"must be 10, 20, 30 or a multiple of 60 seconds (got {self.period})", "ALM-2")
        if self.evaluation_periods < 1:
            fail("evaluation_periods", f"must be at least 1 (got {self.evaluation_periods})", "ALM-2")
        span_limit = 86_400 if self.period < 3600 else 604_800
        if self.period * self.evaluation_periods > span_limit:
            fail(
                "evaluation_periods",
                f"period x evaluation_periods must be at most {span_limit} s "
                f"(got {self.period} x {self.evaluation_periods})",
                "ALM-2",
            )
        if not 1 <= self.datapoints_to_alarm_effective <= self.evaluation_periods:
            fail(
                "datapoints_to_alarm",
                f"must be 1-{self.evaluation_periods} (got {self.datapoints_to_alarm})",
                "ALM-3",
            )
        if self.comparison_operator in ANOMALY_COMPARISONS:
            fail(
                "comparison_operator",
                f"{self.comparison_operator} needs an anomaly band, not supported locally",
                "ALM-4",
            )
        if self.comparison_operator not in COMPARISONS:
            fail("comparison_operator", f"unknown operator {self.comparison_operator!r}", "ALM-4")
        if (self.statistic is None) == (self.extended_statistic is None):
            fail("statistic", "set exactly one of statistic and extended_statistic", "ALM-4")
        if self.statistic is not None and self.statistic not in STATISTICS:
            fail("statistic", f"must be one of {', '.join(STATISTICS)} (got {self.statistic!r})", "ALM-4")
        if self.extended_statistic is not None:
            percentile_of(self.extended_statistic)
        if self.treat_missing_data not in TREAT_MISSING_DATA:
            fail("treat_missing_data", f"must be one of {', '.join(TREAT_MISSING_DATA)}", "ALM-5")
        if self.evaluate_low_sample_count_percentile not in (None, "evaluate", "ignore"):
            fail("evaluate_low_sample_count_percentile", "must be evaluate or ignore", "ALM-10")

    @property
    def datapoints_to_alarm_effective(self) -> int:
        """M: defaults to N (ALM-3)."""
        return self.evaluation_periods if self.datapoints_to_alarm is None else self.datapoints_to_alarm

    @property
    def treat_missing_data_effective(self) -> str:
        """ALM-5: alarms on AWS/DynamoDB metrics always ignore missing data."""
        return "ignore" if self.namespace == "AWS/DynamoDB" else self.treat_missing_data

    @property
    def statistic_name(self) -> str:
        """The statistic or extended statistic this alarm evaluates."""
        return self.statistic or self.extended_statistic or ""

    def breaches(self, value: float) -> bool:
        """ALM-4: a datapoint breaches iff ``value <op> threshold``."""
        compare, _ = COMPARISONS[self.comparison_operator]
        return compare(value, self.threshold)


# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------


def aggregate(samples: Sequence[float], statistic: str) -> float:
    """One period's statistic over its raw samples (ALM-4). Percentiles use nearest rank.

    A period without samples is missing data: pass ``None`` to ``evaluate_alarm`` instead.
    """
    if not samples:
        raise LambdaProcessorError(
            f"no samples to compute {statistic}", hint="a period without samples is missing data (None)"
        )
    if statistic == "Sum":
        return float(math.fsum(samples))
    if statistic == "Average":
        return float(math.fsum(samples) / len(samples))
    if statistic == "Minimum":
        return float(min(samples))
    if statistic == "Maximum":
        return float(max(samples))
    if statistic == "SampleCount":
        return float(len(samples))
    percentile = percentile_of(statistic)
    ordered = sorted(samples)
    rank = math.ceil(percentile / 100.0 * len(ordered))
    return float(ordered[max(rank, 1) - 1])


def is_low_sample_count(percentile: float, sample_count: int) -> bool:
    """ALM-10: fewer than 10/(1-p) samples for p in [0.5, 1), fewer than 10/p below 0.5."""
    p = percentile / 100.0
    if p <= 0.0 or p >= 1.0:
        return False
    needed = 10.0 / (1.0 - p) if p >= 0.5 else 10.0 / p
    return sample_count < needed


# --------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmDecision:
    """The state the alarm should be in now, with AWS-style reason text and data."""

    state: str
    reason: str
    reason_data: dict
    previous_state: str

    @property
    def changed(self) -> bool:
        """Only transitions run actions and are written (ALM-1)."""
        return self.state != self.previous_state


def evaluation_period_starts(spec: AlarmSpec, now: float) -> list[int]:
    """Starts of the periods in the evaluation range, oldest first, ending at the last complete one."""
    last_start = int(math.floor(now / spec.period) * spec.period) - spec.period
    count = spec.evaluation_periods + RANGE_EXTRA_PERIODS
    return [last_start - spec.period * back for back in range(count - 1, -1, -1)]


def _number(value: float) -> str:
    return repr(float(value))


def _reason_time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%d/%m/%y %H:%M:%S")


def _iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class _Point:
    start: int
    value: float | None  # None: a missing period filled by the missing-data treatment
    breaching: bool


def evaluate_alarm(
    spec: AlarmSpec,
    datapoints: Mapping[int, float | None],
    now: float,
    current_state: str,
    *,
    sample_counts: Mapping[int, int] | None = None,
) -> AlarmDecision:
    """Evaluate ``spec`` at ``now`` over ``datapoints`` (period start -> value or None)."""
    starts = evaluation_period_starts(spec, now)
    values = [datapoints.get(start) for start in starts]
    real = [(start, value) for start, value in zip(starts, values) if value is not None]
    n = spec.evaluation_periods
    m = spec.datapoints_to_alarm_effective
    treat = spec.treat_missing_data_effective
    reason_data = _reason_data(spec, now, starts, values)

    def decide(state: str, reason: str) -> AlarmDecision:
        return AlarmDecision(state, reason, reason_data, current_state)

    if spec.extended_statistic and spec.evaluate_low_sample_count_percentile == "ignore" and sample_counts:
        percentile = percentile_of(spec.extended_statistic)
        if any(is_low_sample_count(percentile, sample_counts.get(start, 0)) for start, _ in real):
            return decide(current_state, "Too few samples for a percentile: state kept (ALM-10 ignore).")

    if not real:
        return _all_missing(spec, treat, len(starts), decide, current_state)

    if len(real) >= n:
        evaluated = [_Point(start, value, spec.breaches(value)) for start, value in real[-n:]]
    else:
        evaluated = [_Point(start, value, spec.breaches(value)) for start, value in real]
        if treat in ("breaching", "notBreaching"):
            fill_breaching = treat == "breaching"
            missing_starts = [start for start, value in zip(starts, values) if value is None][-(n - len(real)):]
            evaluated += [_Point(start, None, fill_breaching) for start in missing_starts]
            evaluated.sort(key=lambda point: point.start)
        else:
            breaching_real = sum(point.breaching for point in evaluated)
            if breaching_real < m and _premature_alarm(evaluated, starts, m):
                if treat == "ignore":
                    return decide(current_state, "Missing data treated as ignore: state kept (ALM-9).")
                return decide(ALARM, _threshold_reason(spec, evaluated, n, m, current_state, ALARM))

    breaching_count = sum(point.breaching for point in evaluated)
    state = ALARM if breaching_count >= m else OK
    return decide(state, _threshold_reason(spec, evaluated, n, m, current_state, state))


def _premature_alarm(real_points: list[_Point], starts: list[int], m: int) -> bool:
    """ALM-9: all real datapoints breach and the oldest is at least M periods old."""
    if not real_points or not all(point.breaching for point in real_points):
        return False
    age_in_periods = len(starts) - starts.index(real_points[0].start)  # newest period = 1
    return age_in_periods >= m


def _all_missing(spec: AlarmSpec, treat: str, range_size: int, decide, current_state: str) -> AlarmDecision:
    n = spec.evaluation_periods
    if treat == "missing":
        verb = "was" if range_size == 1 else "were"
        return decide(INSUFFICIENT_DATA, f"Insufficient Data: {_plural(range_size, 'datapoint')} {verb} unknown.")
    if treat == "ignore":
        return decide(current_state, "No datapoints and missing data is ignored: state kept (ALM-5).")
    label = "Breaching" if treat == "breaching" else "NonBreaching"
    verb = "was" if n == 1 else "were"
    reason = (
        f"Threshold Crossed: no datapoints were received for {_plural(n, 'period')} and "
        f"{_plural(n, 'missing datapoint')} {verb} treated as [{label}]."
    )
    return decide(ALARM if treat == "breaching" else OK, reason)


def _threshold_reason(spec: AlarmSpec, evaluated: list[_Point], n: int, m: int, previous: str, state: str) -> str:
    _, words = COMPARISONS[spec.comparison_operator]
    if state == ALARM:
        counted = [p for p in evaluated if p.breaching]
        relation = words
        minimum = m
    else:
        counted = [p for p in evaluated if not p.breaching]
        relation = f"not {words}"
        minimum = n - m + 1  # non-breaching points needed to leave ALARM
    newest_first = sorted(counted, key=lambda p: -p.start)
    shown = ", ".join(f"{_number(p.value)} ({_reason_time(p.start)})" for p in newest_first if p.value is not None)
    verb = "was" if len(counted) == 1 else "were"
    return (
        f"Threshold Crossed: {len(counted)} out of the last {n} datapoints [{shown}] {verb} {relation} "
        f"the threshold ({_number(spec.threshold)}) (minimum {_plural(minimum, 'datapoint')} for "
        f"{previous} -> {state} transition)."
    )


def _reason_data(spec: AlarmSpec, now: float, starts: list[int], values: list[float | None]) -> dict[str, Any]:
    return {
        "version": "1.0",
        "queryDate": _iso(now),
        "startDate": _iso(starts[0]),
        "statistic": spec.statistic_name,
        "period": spec.period,
        "recentDatapoints": [float(v) for v in values if v is not None],
        "threshold": float(spec.threshold),
        "evaluatedDatapoints": [
            {"timestamp": _iso(start), **({"value": float(value)} if value is not None else {})}
            for start, value in sorted(zip(starts, values), key=lambda item: -item[0])
        ],
    }

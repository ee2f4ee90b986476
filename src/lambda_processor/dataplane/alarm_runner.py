"""Evaluates every metric alarm in the sandbox against its metrics (ALM-1..11).

Each pass reads the alarms and their metric samples through an ``AlarmPort``, asks
``alarm_semantics.evaluate_alarm`` for the state each should be in, writes changes back
(so ``DescribeAlarms`` shows state, reason and time) and publishes the alarm's actions to
their SNS topics in CloudWatch's notification format (ALM-1: on transitions only).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from ..alarm_semantics import AlarmDecision, AlarmSpec, evaluate_alarm
from ..clock import Clock
from ..metric_series import Sample, period_values

log = logging.getLogger(__name__)

REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)",
    "ap-northeast-2": "Asia Pacific (Seoul)", "ap-northeast-1": "Asia Pacific (Tokyo)",
}


@dataclass(frozen=True)
class AlarmView:
    """One metric alarm as stored in the sandbox."""

    name: str
    arn: str
    namespace: str
    metric_name: str
    dimensions: dict[str, str]
    period: int
    evaluation_periods: int
    threshold: float
    comparison_operator: str
    statistic: str | None = None
    extended_statistic: str | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None
    evaluate_low_sample_count_percentile: str | None = None
    state: str = "INSUFFICIENT_DATA"
    actions_enabled: bool = True
    alarm_actions: tuple[str, ...] = ()
    ok_actions: tuple[str, ...] = ()
    insufficient_data_actions: tuple[str, ...] = ()
    description: str | None = None
    unit: str | None = None

    def spec(self) -> AlarmSpec:
        return AlarmSpec(
            period=self.period,
            evaluation_periods=self.evaluation_periods,
            threshold=self.threshold,
            comparison_operator=self.comparison_operator,
            statistic=self.statistic,
            extended_statistic=self.extended_statistic,
            datapoints_to_alarm=self.datapoints_to_alarm,
            treat_missing_data=self.treat_missing_data or "missing",
            evaluate_low_sample_count_percentile=self.evaluate_low_sample_count_percentile,
            namespace=self.namespace,
        )


class AlarmPort(Protocol):
    def alarms(self) -> list[AlarmView]: ...

    def samples(self, namespace: str, metric_name: str, dimensions: dict[str, str]) -> list[Sample]: ...

    def set_state(self, name: str, state: str, reason: str, reason_data: dict) -> None: ...

    def publish(self, topic_arn: str, subject: str, message: str) -> None: ...


@dataclass(frozen=True)
class Transition:
    alarm: str
    old: str
    new: str
    reason: str
    at: float
    notified: tuple[str, ...] = ()


def alarm_notification(alarm: AlarmView, decision: AlarmDecision, *, now: float, account_id: str,
                       region: str) -> tuple[str, str]:
    """CloudWatch's SNS notification (subject, JSON message) for one transition."""
    region_name = REGION_NAMES.get(region, region)
    stamp = datetime.fromtimestamp(now, tz=timezone.utc)
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account_id,
        "AlarmConfigurationUpdatedTimestamp": stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
        "NewStateValue": decision.state,
        "NewStateReason": decision.reason,
        "StateChangeTime": stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
        "Region": region_name,
        "AlarmArn": alarm.arn,
        "OldStateValue": decision.previous_state,
        "OKActions": list(alarm.ok_actions),
        "AlarmActions": list(alarm.alarm_actions),
        "InsufficientDataActions": list(alarm.insufficient_data_actions),
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "StatisticType": "ExtendedStatistic" if alarm.extended_statistic else "Statistic",
            "Statistic": alarm.extended_statistic or (alarm.statistic or "").upper(),
            "Unit": alarm.unit,
            "Dimensions": [{"value": v, "name": k} for k, v in alarm.dimensions.items()],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "DatapointsToAlarm": alarm.datapoints_to_alarm or alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": float(alarm.threshold),
            "TreatMissingData": alarm.treat_missing_data or "missing",
            "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile or "",
        },
    }
    subject = f'{decision.state}: "{alarm.name}" in {region_name}'
    return subject[:100], json.dumps(message)


def actions_for(alarm: AlarmView, state: str) -> tuple[str, ...]:
    if not alarm.actions_enabled:
        return ()
    return {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions,
            "INSUFFICIENT_DATA": alarm.insufficient_data_actions}.get(state, ())


@dataclass
class AlarmRunner:
    port: AlarmPort
    clock: Clock
    account_id: str
    region: str
    interval_seconds: float = 10.0
    transitions: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def evaluate_all(self, now: float | None = None) -> list[Transition]:
        """One pass over every alarm; return the transitions it made."""
        now = self.clock.now() if now is None else now
        made = []
        for alarm in self.port.alarms():
            try:
                transition = self._evaluate(alarm, now)
            except Exception:  # one broken alarm must not stop the others
                log.exception("evaluating alarm %s failed", alarm.name)
                continue
            if transition is not None:
                made.append(transition)
        with self._lock:
            self.transitions.extend(made)
        return made

    def _evaluate(self, alarm: AlarmView, now: float) -> Transition | None:
        spec = alarm.spec()
        stat = alarm.extended_statistic or alarm.statistic or "Average"
        window = spec.period * (spec.evaluation_periods + 3)
        samples = self.port.samples(alarm.namespace, alarm.metric_name, alarm.dimensions)
        # CloudWatch evaluates the newest datapoint as soon as data is published, so the
        # period in progress counts: evaluate as of its end.
        evaluate_at = (now // spec.period + 1) * spec.period
        values, counts = period_values(samples, stat, spec.period, evaluate_at - window, evaluate_at)
        decision = evaluate_alarm(spec, values, evaluate_at, alarm.state, sample_counts=counts)
        if not decision.changed:
            return None
        self.port.set_state(alarm.name, decision.state, decision.reason, decision.reason_data)
        notified = []
        for topic in actions_for(alarm, decision.state):
            if ":sns:" not in topic:
                continue  # Auto Scaling / EC2 / SSM actions are not emulated
            subject, message = alarm_notification(alarm, decision, now=now, account_id=self.account_id, region=self.region)
            try:
                self.port.publish(topic, subject, message)
                notified.append(topic)
            except Exception:
                log.exception("alarm %s: publishing to %s failed", alarm.name, topic)
        return Transition(alarm.name, decision.previous_state, decision.state, decision.reason, now, tuple(notified))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="alarm-runner", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            self.evaluate_all()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

"""CloudWatch alarms: AWS's initial state, state kept across updates, and alarm history.

* A new alarm starts in ``INSUFFICIENT_DATA`` (moto says ``OK``).
* ``PutMetricAlarm`` on an existing alarm keeps its state, reason and history, as AWS
  does (moto builds a fresh alarm, so every Terraform update would reset it).
* ``DescribeAlarmHistory``, which moto records but does not serve.

moto appends ``(type, old_reason, old_reason_data, old_state, old_timestamp)`` to an
alarm's ``history`` on each state update; the state an entry moved *to* is the next
entry's old state, or the alarm's current one. :func:`alarm_history_items` turns that
into AWS's history items (pure); the added API action serves them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .patching import AttributeUseCheck, PatchSet, SignatureCheck

CHECKS = (
    SignatureCheck(
        "moto.cloudwatch.models:Alarm.update_state", "self, reason, reason_data, state_value"
    ),
    AttributeUseCheck("moto.cloudwatch.models:Alarm.update_state", "history"),
    AttributeUseCheck("moto.cloudwatch.models:Alarm.__init__", "state_value"),
    AttributeUseCheck("moto.cloudwatch.models:CloudWatchBackend.put_metric_alarm", "alarms"),
    SignatureCheck(
        "moto.cloudwatch.models:CloudWatchBackend.put_metric_alarm",
        "self, name, namespace, metric_name, comparison_operator, evaluation_periods, period, threshold, "
        "statistic, description, dimensions, alarm_actions, metric_data_queries, datapoints_to_alarm, "
        "extended_statistic, ok_actions, insufficient_data_actions, unit, actions_enabled, treat_missing_data, "
        "evaluate_low_sample_count_percentile, threshold_metric_id, rule, tags",
    ),
    SignatureCheck("moto.cloudwatch.models:CloudWatchBackend.describe_alarms", "self"),
)


def alarm_history_items(
    alarm_name: str,
    history: list[tuple[Any, ...]],
    current: tuple[str, str, str, datetime],
) -> list[dict[str, Any]]:
    """AWS ``AlarmHistoryItem``s, oldest first, from moto's ``history`` entries.

    ``current`` is ``(state_value, state_reason, state_reason_data, updated_timestamp)``.
    """
    states = [(entry[3], entry[1], entry[2], entry[4]) for entry in history if entry[0] == "StateUpdate"]
    states.append(current)
    items = []
    for (old_state, _, old_data, _), (new_state, reason, new_data, timestamp) in zip(states, states[1:]):
        items.append(
            {
                "AlarmName": alarm_name,
                "AlarmType": "MetricAlarm",
                "Timestamp": timestamp,
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old_state} to {new_state}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old_state, "stateReasonData": _json_or_none(old_data)},
                        "newState": {"stateValue": new_state, "stateReason": reason, "stateReasonData": _json_or_none(new_data)},
                    }
                ),
            }
        )
    return items


INITIAL_STATE = "INSUFFICIENT_DATA"
CARRIED_OVER_ON_UPDATE = ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp", "history")


def install(patches: PatchSet) -> None:
    """Patch alarm creation/update and add the ``DescribeAlarmHistory`` action."""
    from moto.cloudwatch.models import Alarm, CloudWatchBackend
    from moto.cloudwatch.responses import CloudWatchResponse

    original_init = Alarm.__init__
    original_put_metric_alarm = CloudWatchBackend.put_metric_alarm

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.state_value = INITIAL_STATE

    def put_metric_alarm(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        previous = self.alarms.get(name)
        alarm = original_put_metric_alarm(self, name, *args, **kwargs)
        if previous is not None and previous is not alarm:
            for attribute in CARRIED_OVER_ON_UPDATE:
                setattr(alarm, attribute, getattr(previous, attribute))
        return alarm

    patches.replace(Alarm, "__init__", __init__)
    patches.replace(CloudWatchBackend, "put_metric_alarm", put_metric_alarm)
    patches.replace(CloudWatchResponse, "describe_alarm_history", _describe_alarm_history)


def _describe_alarm_history(self: Any) -> Any:
    from moto.core.responses import ActionResult

    name = self._get_param("AlarmName")
    item_type = self._get_param("HistoryItemType")
    start, end = self._get_param("StartDate"), self._get_param("EndDate")
    newest_first = (self._get_param("ScanBy") or "TimestampDescending") == "TimestampDescending"
    items = []
    for alarm in self.cloudwatch_backend.describe_alarms():
        if name and alarm.name != name:
            continue
        current = (alarm.state_value, alarm.state_reason, alarm.state_reason_data, alarm.state_updated_timestamp)
        items.extend(alarm_history_items(alarm.name, alarm.history, current))
    items = [
        item
        for item in items
        if (not item_type or item["HistoryItemType"] == item_type)
        and (start is None or _naive(item["Timestamp"]) >= _naive(start))
        and (end is None or _naive(item["Timestamp"]) <= _naive(end))
    ]
    items.sort(key=lambda item: _naive(item["Timestamp"]), reverse=newest_first)
    limit = self._get_param("MaxRecords")
    return ActionResult({"AlarmHistoryItems": items[: int(limit)] if limit else items})


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def _json_or_none(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None

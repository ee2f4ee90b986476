"""Fast in-process access to the sandbox for the data plane (no HTTP, no credentials).

Each helper takes :data:`backend_lock` itself. Functions returning a backend
(``lambda_backend``, ``sqs_backend``) hand out moto objects: callers must hold
``backend_lock`` while they use them.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from .locking import backend_lock
from .patching import SignatureCheck

CHECKS = (
    SignatureCheck("moto.logs.models:LogsBackend.ensure_log_group", "self, log_group_name"),
    SignatureCheck("moto.logs.models:LogsBackend.ensure_log_stream", "self, log_group_name, log_stream_name"),
    SignatureCheck("moto.logs.models:LogGroup.put_log_events", "self, log_stream_name, log_events"),
    SignatureCheck("moto.cloudwatch.models:CloudWatchBackend.put_metric_data", "self, namespace, metric_data"),
    SignatureCheck(
        "moto.cloudwatch.models:CloudWatchBackend.set_alarm_state",
        "self, alarm_name, reason, reason_data, state_value",
    ),
)


def lambda_backend(account_id: str, region: str) -> Any:
    """moto's ``LambdaBackend`` for an account and region (hold ``backend_lock`` while using it)."""
    from moto.awslambda.models import lambda_backends

    return lambda_backends[account_id][region]


def sqs_backend(account_id: str, region: str) -> Any:
    """moto's ``SQSBackend`` for an account and region (hold ``backend_lock`` while using it)."""
    from moto.sqs.models import sqs_backends

    return sqs_backends[account_id][region]


def logs_put_events(
    log_group: str, log_stream: str, events: list[dict[str, Any]], *, account_id: str, region: str
) -> None:
    """Append ``events`` (``{"timestamp": ms, "message": str}``) to a log stream.

    The group and stream are created when missing. Events are sorted by time, as
    PutLogEvents requires; unlike the API, old timestamps are kept (the runtime's
    clock may be a fake one).
    """
    from moto.logs.models import logs_backends

    ordered = sorted(events, key=lambda event: event["timestamp"])
    with backend_lock:
        backend = logs_backends[account_id][region]
        backend.ensure_log_group(log_group)
        backend.ensure_log_stream(log_group, log_stream)
        backend.groups[log_group].put_log_events(log_stream, ordered)


def cloudwatch_put_metric_data(
    namespace: str, metric_data: list[dict[str, Any]], *, account_id: str, region: str
) -> None:
    """PutMetricData in-process: ``metric_data`` is the API shape (MetricName, Dimensions,
    Value/Values/Counts/StatisticValues, Unit, Timestamp as datetime or unix seconds).

    The data reads back through ``get_metric_statistics`` / ``get_metric_data``.
    """
    from moto.cloudwatch.models import cloudwatch_backends

    converted = [_with_moto_timestamp(datum) for datum in metric_data]
    with backend_lock:
        cloudwatch_backends[account_id][region].put_metric_data(namespace, converted)


def put_alarm_state(
    name: str, state: str, reason: str, reason_data: dict[str, Any] | str, *, account_id: str, region: str
) -> None:
    """SetAlarmState in-process; ``describe_alarms`` then shows it and the old state
    goes to the alarm's history (``DescribeAlarmHistory``)."""
    from moto.cloudwatch.models import cloudwatch_backends

    data = reason_data if isinstance(reason_data, str) else json.dumps(reason_data)
    with backend_lock:
        cloudwatch_backends[account_id][region].set_alarm_state(name, reason, data, state)


def sns_publish(
    topic_arn: str,
    message: str,
    *,
    subject: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> str:
    """Publish to a topic in-process (account and region from the ARN); returns the MessageId.

    ``attributes`` use the API shape ``{"name": {"DataType": "String", "StringValue": "v"}}``.
    Lambda subscribers are reached through the ``sns_publish`` hook.
    """
    from moto.sns.models import sns_backends

    region, account = topic_arn.split(":")[3:5]
    with backend_lock:
        return sns_backends[account][region].publish(
            message, arn=topic_arn, subject=subject, message_attributes=_sns_attributes(attributes)
        )


def _sns_attributes(attributes: dict[str, Any] | None) -> dict[str, Any]:
    """API attribute shape -> the ``{"Type", "Value"}`` shape moto's SNS models store."""
    converted = {}
    for name, attribute in (attributes or {}).items():
        data_type = attribute["DataType"]
        if data_type.startswith("Binary"):
            value = attribute["BinaryValue"]
        else:
            value = attribute["StringValue"]
        converted[name] = {"Type": data_type, "Value": value}
    return converted


def _with_moto_timestamp(datum: dict[str, Any]) -> dict[str, Any]:
    # moto compares metric timestamps with naive UTC datetimes.
    timestamp = datum.get("Timestamp")
    if timestamp is None:
        return datum
    if isinstance(timestamp, (int, float)):
        moment = datetime.fromtimestamp(float(timestamp), tz=timezone.utc)
    else:
        moment = timestamp if timestamp.tzinfo else timestamp.replace(tzinfo=timezone.utc)
    return {**datum, "Timestamp": moment.astimezone(timezone.utc).replace(tzinfo=None)}

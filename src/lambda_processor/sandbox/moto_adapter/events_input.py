"""What an EventBridge target receives: the event, ``Input``, ``InputPath`` or ``InputTransformer``.

Pure functions (no moto): used for the SQS/SNS targets the adapter delivers itself, and
by the data plane for Lambda targets.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


EVENT_FIELD_ORDER = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")


def normalized_event(event: dict[str, Any], *, account_id: str, region: str) -> dict[str, Any]:
    """The event as AWS delivers it: ``time`` as ``YYYY-MM-DDTHH:MM:SSZ``, ``account`` set,
    moto's internal ``ingestion-time`` removed, fields in AWS's order."""
    body = {key: value for key, value in event.items() if key != "ingestion-time"}
    body["time"] = iso_time(body.get("time"))
    if not body.get("account"):
        body["account"] = account_id
    if not body.get("region"):
        body["region"] = region
    ordered = {key: body[key] for key in EVENT_FIELD_ORDER if key in body}
    ordered.update({key: value for key, value in body.items() if key not in ordered})
    return ordered


def iso_time(value: Any) -> str:
    """A unix time, datetime or ISO string as EventBridge's ``time`` (second precision, Z)."""
    if isinstance(value, str) and value:
        try:
            value = float(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    elif isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(float(value), tz=timezone.utc)
    else:
        moment = datetime.now(tz=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_target_input(
    target: dict[str, Any], event: dict[str, Any], *, rule_arn: str = "", rule_name: str = ""
) -> str:
    """The text a target receives for ``event`` (already normalized).

    One implementation serves every target kind: ``push_events.target_payload`` (``Input``
    verbatim, ``InputPath`` as JSON, ``InputTransformer`` templates, else the whole event).
    """
    from ...push_events import target_payload

    input_value = target.get("Input")
    return target_payload(
        event,
        input=input_value if input_value else None,
        input_path=target.get("InputPath") or None,
        input_transformer=target.get("InputTransformer") or None,
        rule_arn=rule_arn,
        rule_name=rule_name,
    ).decode()

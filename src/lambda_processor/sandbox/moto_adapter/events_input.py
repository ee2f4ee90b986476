"""What an EventBridge target receives: the event, ``Input``, ``InputPath`` or ``InputTransformer``.

Pure functions (no moto): used for the SQS/SNS targets the adapter delivers itself, and
by the data plane for Lambda targets.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from jsonpath_ng.ext import parse as parse_json_path

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

    ``Input`` is sent verbatim; ``InputPath`` sends the selected part as JSON;
    ``InputTransformer`` fills ``<name>`` placeholders of its template (strings
    inserted raw, everything else as JSON, missing paths as ``null``); otherwise the
    whole event.
    """
    if target.get("Input"):
        return target["Input"]
    if target.get("InputPath"):
        return json.dumps(json_path_value(event, target["InputPath"]))
    transformer = target.get("InputTransformer")
    if transformer:
        return _fill_template(transformer, event, rule_arn, rule_name)
    return json.dumps(event)


def json_path_value(document: Any, path: str) -> Any:
    """The first match of a JSONPath such as ``$.detail.items[0]``; None when absent."""
    matches = parse_json_path(path).find(document)
    return matches[0].value if matches else None


def _fill_template(transformer: dict[str, Any], event: dict[str, Any], rule_arn: str, rule_name: str) -> str:
    template: str = transformer.get("InputTemplate") or ""
    values: dict[str, Any] = {
        "aws.events.event": event,
        "aws.events.event.json": event,
        "aws.events.rule-arn": rule_arn,
        "aws.events.rule-name": rule_name,
    }
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        values[name] = json_path_value(event, path)
    for name, value in values.items():
        placeholder = f"<{name}>"
        if placeholder in template:
            text = value if isinstance(value, str) else json.dumps(value)
            template = template.replace(placeholder, text)
    return template

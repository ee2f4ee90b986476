"""The exact events push sources hand to Lambda (pure).

- SNS (SNS-2..4): ``{"Records": [{"EventSource": "aws:sns", "Sns": {...}}]}``, one record.
- EventBridge (EB-1, EB-2): the event itself, or what the target's ``Input``,
  ``InputPath`` or ``InputTransformer`` makes of it.
- Scheduled rules: AWS's ``Scheduled Event`` shape.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any, Mapping

from .errors import ConfigError

SNS_SIGNING_CERT = "https://sns.{region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem"
SNS_UNSUBSCRIBE = "https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={arn}"


def iso_millis(epoch_seconds: float) -> str:
    """``2019-01-02T12:45:07.000Z`` (SNS timestamps)."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_seconds(epoch_seconds: float) -> str:
    """``2017-12-22T18:43:48Z`` (EventBridge ``time``)."""
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sns_message_attributes(attributes: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """SNS API attributes (``DataType``/``StringValue``/``BinaryValue``) → Lambda's ``{Type, Value}``."""
    converted = {}
    for name, attribute in attributes.items():
        data_type = attribute.get("DataType") or attribute.get("Type") or "String"
        value = attribute.get("StringValue", attribute.get("Value"))
        if value is None and "BinaryValue" in attribute:
            raw = attribute["BinaryValue"]
            value = raw.decode() if isinstance(raw, bytes) else raw
        converted[name] = {"Type": data_type, "Value": value}
    return converted


def sns_lambda_event(
    *,
    topic_arn: str,
    subscription_arn: str,
    message_id: str,
    message: str,
    subject: str | None,
    message_attributes: Mapping[str, Any],
    timestamp: float,
    region: str,
) -> dict:
    """One SNS notification as Lambda receives it (SNS-2, SNS-3, SNS-4)."""
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "EventSource": "aws:sns",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": iso_millis(timestamp),
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": SNS_SIGNING_CERT.format(region=region),
                    "UnsubscribeUrl": SNS_UNSUBSCRIBE.format(region=region, arn=subscription_arn),
                    "MessageAttributes": sns_message_attributes(message_attributes),
                },
            }
        ]
    }


def eventbridge_event(entry: Mapping[str, Any], *, account: str, region: str, now: float,
                      event_id: str | None = None) -> dict:
    """A PutEvents entry as the event rules see and targets receive (EB-2)."""
    detail = entry.get("Detail", "{}")
    try:
        parsed = json.loads(detail) if isinstance(detail, str) else dict(detail)
    except json.JSONDecodeError as error:
        raise ConfigError("Detail must be a JSON object", where="PutEvents entry Detail") from error
    when = entry.get("Time")
    if isinstance(when, datetime):
        when = when.timestamp()
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": entry.get("DetailType", ""),
        "source": entry.get("Source", ""),
        "account": account,
        "time": iso_seconds(float(when) if when is not None else now),
        "region": region,
        "resources": list(entry.get("Resources", [])),
        "detail": parsed,
    }


def scheduled_event(*, rule_arn: str, account: str, region: str, fired_at: float) -> dict:
    """The event a schedule rule delivers."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": iso_seconds(fired_at),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


_PATH_PART = re.compile(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]|\['([^']+)'\]")


def json_path(document: Any, path: str) -> Any:
    """The subset of JSONPath EventBridge targets use: ``$``, ``$.a.b``, ``$.a[0]``, ``$['a-b']``."""
    if not path.startswith("$"):
        raise ConfigError(f"InputPath must start with '$' (got {path!r})", where="target input_path")
    position, value = 1, document
    while position < len(path):
        match = _PATH_PART.match(path, position)
        if not match:
            raise ConfigError(f"unsupported JSONPath {path!r}", where="target input_path")
        key, index, quoted = match.groups()
        if index is not None:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
        else:
            value = value.get(key if key is not None else quoted) if isinstance(value, dict) else None
        position = match.end()
    return value


def target_payload(event: dict, *, input: str | None = None, input_path: str | None = None,
                   input_transformer: Mapping[str, Any] | None = None, rule_arn: str = "",
                   rule_name: str = "") -> bytes:
    """What a rule target receives: the event, or its Input/InputPath/InputTransformer.

    In a transformer template a string value is inserted as is inside quotes and as a JSON
    string outside them; other values as JSON; ``<aws.events.rule-arn>``,
    ``<aws.events.rule-name>`` and ``<aws.events.event.json>`` are predefined.
    """
    if input is not None:
        return input.encode()
    if input_path:
        return json.dumps(json_path(event, input_path)).encode()
    if input_transformer:
        paths = input_transformer.get("input_paths") or input_transformer.get("InputPathsMap") or {}
        template = input_transformer.get("input_template") or input_transformer.get("InputTemplate") or ""
        values = {"aws.events.rule-arn": rule_arn, "aws.events.rule-name": rule_name, "aws.events.event": event}
        values.update({name: json_path(event, path) for name, path in paths.items()})

        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name == "aws.events.event.json":
                return json.dumps(event)
            if name not in values:
                return match.group(0)
            value = values[name]
            inside_string = match.string[: match.start()].count('"') % 2 == 1
            if isinstance(value, str):
                return value if inside_string else json.dumps(value)
            return json.dumps(value)

        return re.sub(r"<([A-Za-z0-9_.\-]+)>", substitute, template).encode()
    return json.dumps(event).encode()

"""The platform's event envelope, as producers put it in an SQS message body::

    {"eventId": "e-1", "eventType": "CRITICAL", "source": "billing",
     "occurredAt": "2026-01-01T00:00:00Z", "payload": {...}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# Lower is more urgent. Unknown types rank after every known one.
PRIORITIES = {"CRITICAL": 1, "IMPORTANT": 2, "NORMAL": 3, "DEBUG": 4}


class InvalidEvent(Exception):
    """The message body is not a valid event envelope."""


@dataclass(frozen=True)
class EventEnvelope:
    """One platform event."""

    event_id: str
    event_type: str
    source: str
    payload: dict = field(default_factory=dict)
    occurred_at: str | None = None


def parse_envelope(body: str) -> EventEnvelope:
    """The envelope in a message body, or InvalidEvent naming the bad field."""
    try:
        raw = json.loads(body)
    except (TypeError, ValueError) as e:
        raise InvalidEvent(f"body is not JSON: {e}") from e
    if not isinstance(raw, dict):
        raise InvalidEvent("body must be a JSON object")
    for name in ("eventId", "eventType", "source"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise InvalidEvent(f"{name} must be a non-empty string (got {raw.get(name)!r})")
    payload = raw.get("payload", {})
    if not isinstance(payload, dict):
        raise InvalidEvent("payload must be an object when present")
    occurred_at = raw.get("occurredAt")
    if occurred_at is not None and not isinstance(occurred_at, str):
        raise InvalidEvent("occurredAt must be an ISO-8601 string when present")
    return EventEnvelope(raw["eventId"], raw["eventType"], raw["source"], payload, occurred_at)


def priority_of(event_type: str) -> int:
    """The numeric priority of an event type (1 = most urgent)."""
    return PRIORITIES.get(event_type, len(PRIORITIES) + 1)

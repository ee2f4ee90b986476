"""Pure data-processor logic: which objects a message names, how raw lines become output.

A raw object is JSON Lines, one event per line::

    {"user_id": "u-1", "event": "click", "value": 3, "timestamp": "2026-01-01T00:00:00Z"}

Valid lines are normalized (``event`` lower-cased, ``value`` a number) and written in parts of
``BATCH_SIZE`` lines; a summary counts lines per event. Invalid lines are counted, not fatal: one
bad line must not block a whole file. Output keys derive from the input key only, so reprocessing
(SQS is at-least-once) overwrites instead of duplicating.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from urllib.parse import unquote_plus


class InvalidMessage(Exception):
    """The SQS message does not name any object to process."""


@dataclass(frozen=True)
class ObjectRef:
    """An S3 object to process."""

    bucket: str
    key: str


@dataclass
class Transformed:
    """The result of transforming one raw object."""

    records: list[dict] = field(default_factory=list)
    invalid_lines: int = 0


def object_refs(body: str) -> list[ObjectRef]:
    """The objects a queue message names: an S3 event notification or {"bucket", "key"}.

    S3's own ``s3:TestEvent`` (sent when the notification is configured) names none.
    """
    try:
        message = json.loads(body)
    except (TypeError, ValueError) as e:
        raise InvalidMessage(f"body is not JSON: {e}") from e
    if not isinstance(message, dict):
        raise InvalidMessage("body must be a JSON object")
    if message.get("Event") == "s3:TestEvent":
        return []
    if "Records" in message:
        refs = []
        for index, record in enumerate(message["Records"]):
            try:
                # S3 URL-encodes keys in notifications ("a b.jsonl" arrives as "a+b.jsonl").
                refs.append(ObjectRef(record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"])))
            except (KeyError, TypeError) as e:
                raise InvalidMessage(f"Records[{index}] is not an S3 event record (missing {e})") from e
        return refs
    if isinstance(message.get("bucket"), str) and isinstance(message.get("key"), str):
        return [ObjectRef(message["bucket"], message["key"])]
    raise InvalidMessage('body must be an S3 event notification or {"bucket": ..., "key": ...}')


def normalize_line(line: str) -> dict | None:
    """One raw line as a normalized record, or None when it is not a valid event."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    user_id, name, value = event.get("user_id"), event.get("event"), event.get("value", 1)
    if not isinstance(user_id, str) or not user_id or not isinstance(name, str) or not name.strip():
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    record = {"user_id": user_id, "event": name.strip().lower(), "value": value}
    if isinstance(event.get("timestamp"), str):
        record["timestamp"] = event["timestamp"]
    return record


def transform(text: str) -> Transformed:
    """Normalize every non-blank line of a raw object."""
    result = Transformed()
    for line in text.splitlines():
        if not line.strip():
            continue
        record = normalize_line(line)
        if record is None:
            result.invalid_lines += 1
        else:
            result.records.append(record)
    return result


def summarize(ref: ObjectRef, transformed: Transformed) -> dict:
    """Counts and sums per event for one object."""
    by_event: dict[str, dict] = {}
    for record in transformed.records:
        stats = by_event.setdefault(record["event"], {"count": 0, "sum": 0})
        stats["count"] += 1
        stats["sum"] += record["value"]
    return {
        "source": f"s3://{ref.bucket}/{ref.key}",
        "valid_lines": len(transformed.records),
        "invalid_lines": transformed.invalid_lines,
        "by_event": dict(sorted(by_event.items())),
    }


def chunks(records: list[dict], size: int) -> list[list[dict]]:
    """``records`` in consecutive parts of at most ``size``."""
    if size < 1:
        raise ValueError(f"BATCH_SIZE must be >= 1 (got {size})")
    return [records[i : i + size] for i in range(0, len(records), size)]


def output_prefix(ref: ObjectRef) -> str:
    """Where an object's output goes: processed/<source bucket>/<key without extension>/."""
    stem = ref.key.rsplit(".", 1)[0] if "." in ref.key.rsplit("/", 1)[-1] else ref.key
    return f"processed/{ref.bucket}/{stem}/"


def jsonl(records: list[dict]) -> bytes:
    """Records as JSON Lines."""
    return "".join(json.dumps(r, sort_keys=True) + "\n" for r in records).encode()

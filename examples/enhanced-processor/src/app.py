"""enhanced-processor: important and critical platform events from SQS, using the shared-libs layer.

The mapping's filter only lets ``body.eventType`` IMPORTANT or CRITICAL through (Lambda deletes the
rest). For each event the handler parses the envelope (``shared_libs.parse_envelope``), ranks it,
logs a structured ``event_processed`` line (CRITICAL at ERROR level, so log-based alerts see it)
and records EMF metrics ``ProcessedEvents`` and ``EventAgeMs`` per ``eventType`` in the
``EnhancedProcessor`` namespace. Malformed envelopes are returned in ``batchItemFailures``.
"""

from __future__ import annotations

import time

from shared_libs import InvalidEvent, MetricsBatch, get_logger, parse_envelope, priority_of

HANDLED_TYPES = ("IMPORTANT", "CRITICAL")
LOGGER = get_logger("enhanced-processor")


def event_age_ms(record: dict, now_ms: int) -> int:
    """How long the message waited in the queue (now - SentTimestamp)."""
    return max(0, now_ms - int(record["attributes"]["SentTimestamp"]))


def handle_record(record: dict, metrics: MetricsBatch, now_ms: int) -> dict:
    """Process one record; return what was logged about it."""
    envelope = parse_envelope(record["body"])
    details = {
        "messageId": record["messageId"],
        "eventId": envelope.event_id,
        "eventType": envelope.event_type,
        "source": envelope.source,
        "priority": priority_of(envelope.event_type),
        "ageMs": event_age_ms(record, now_ms),
    }
    if envelope.event_type not in HANDLED_TYPES:
        # Only reachable if the filter is changed; a retry would not help, so it is not a failure.
        LOGGER.warning("event_type_not_handled", **details)
        return details
    if envelope.event_type == "CRITICAL":
        LOGGER.error("event_processed", **details)
    else:
        LOGGER.info("event_processed", **details)
    metrics.add("ProcessedEvents", 1, envelope.event_type)
    metrics.add("EventAgeMs", details["ageMs"], envelope.event_type, unit="Milliseconds")
    return details


def handler(event: dict, context: object) -> dict:
    """Lambda entry point for the filtered SQS mapping (ReportBatchItemFailures on)."""
    metrics = MetricsBatch(namespace="EnhancedProcessor", dimension="eventType")
    now_ms = int(time.time() * 1000)
    failures = []
    for record in event.get("Records", []):
        try:
            handle_record(record, metrics, now_ms)
        except InvalidEvent as e:
            LOGGER.warning("event_rejected", messageId=record["messageId"], reason=str(e))
            failures.append({"itemIdentifier": record["messageId"]})
    metrics.flush()
    return {"batchItemFailures": failures}

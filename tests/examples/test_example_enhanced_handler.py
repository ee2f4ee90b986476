"""The enhanced-processor handler with the shared-libs layer on its path, as Lambda puts it."""

from __future__ import annotations

import io
import json
import sys

import pytest
from example_support import EXAMPLES_DIR, load_module, sqs_record

EXAMPLE = EXAMPLES_DIR / "enhanced-processor"
LAYER_PYTHON = EXAMPLE / "layers" / "shared-libs" / "python"  # /opt/python in Lambda


@pytest.fixture
def app(monkeypatch):
    """The handler without the Powertools layer: the shared layer's own JSON logger."""
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    monkeypatch.setitem(sys.modules, "aws_lambda_powertools", None)  # import fails, as without the layer
    return load_module(EXAMPLE / "src" / "app.py", extra_sys_path=[LAYER_PYTHON])


def test_with_the_powertools_layer_the_handler_logs_through_powertools(monkeypatch, capfd):
    pytest.importorskip("aws_lambda_powertools")
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    app = load_module(EXAMPLE / "src" / "app.py", extra_sys_path=[LAYER_PYTHON])
    record = sqs_record(envelope("CRITICAL", "e-9"))
    assert app.handler({"Records": [record]}, None) == {"batchItemFailures": []}
    assert type(app.LOGGER).__name__ == "_PowertoolsAdapter"


def envelope(event_type: str, event_id: str = "e-1", **extra) -> str:
    return json.dumps({"eventId": event_id, "eventType": event_type, "source": "billing", "payload": {}, **extra})


def log_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_important_and_critical_events_are_logged_and_counted_as_emf_metrics(app, capsys):
    records = [sqs_record(envelope("CRITICAL", "e-1")), sqs_record(envelope("IMPORTANT", "e-2")),
               sqs_record(envelope("CRITICAL", "e-3"))]
    assert app.handler({"Records": records}, None) == {"batchItemFailures": []}
    lines = log_lines(capsys.readouterr().out)
    processed = [line for line in lines if line.get("message") == "event_processed"]
    assert [(p["eventId"], p["level"], p["priority"]) for p in processed] == [
        ("e-1", "ERROR", 1), ("e-2", "INFO", 2), ("e-3", "ERROR", 1)]
    emf = {d["eventType"]: d for d in lines if "_aws" in d}
    assert emf["CRITICAL"]["ProcessedEvents"] == [1, 1] and emf["IMPORTANT"]["ProcessedEvents"] == 1
    directive = emf["CRITICAL"]["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "EnhancedProcessor" and directive["Dimensions"] == [["eventType"]]
    assert {"Name": "EventAgeMs", "Unit": "Milliseconds"} in directive["Metrics"]


def test_sqs_45_malformed_envelopes_are_reported(app):
    bad = sqs_record(json.dumps({"eventType": "CRITICAL"}))  # no eventId/source
    not_json = sqs_record("CRITICAL")
    good = sqs_record(envelope("IMPORTANT"))
    result = app.handler({"Records": [bad, good, not_json]}, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]},
                                            {"itemIdentifier": not_json["messageId"]}]}


def test_unhandled_event_type_is_not_retried(app, capsys):
    record = sqs_record(envelope("NORMAL"))
    assert app.handler({"Records": [record]}, None) == {"batchItemFailures": []}
    lines = log_lines(capsys.readouterr().out)
    assert any(line.get("message") == "event_type_not_handled" for line in lines)
    assert not [line for line in lines if "_aws" in line]


def test_event_age_comes_from_the_sent_timestamp(app):
    record = sqs_record(envelope("IMPORTANT"))
    sent = int(record["attributes"]["SentTimestamp"])
    assert app.event_age_ms(record, sent + 1500) == 1500


def test_layer_metrics_batch_writes_one_document_per_dimension_value(app):
    from shared_libs import MetricsBatch

    stream = io.StringIO()
    batch = MetricsBatch("NS", "kind", stream=stream, clock=lambda: 1767225600.0)
    batch.add("Hits", 1, "a")
    batch.add("Hits", 1, "b")
    documents = batch.flush()
    assert [d["kind"] for d in documents] == ["a", "b"]
    assert documents[0]["_aws"]["Timestamp"] == 1767225600000
    assert [json.loads(line) for line in stream.getvalue().splitlines()] == documents
    assert batch.flush() == []


def test_layer_logger_respects_log_level(monkeypatch, capsys):
    from shared_libs.structured_log import JsonLogger

    logger = JsonLogger("svc", level="WARNING")
    logger.info("hidden")
    logger.warning("shown", key="v")
    assert log_lines(capsys.readouterr().out) == [
        {"level": "WARNING", "service": "svc", "message": "shown", "key": "v"}]

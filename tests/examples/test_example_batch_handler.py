"""The data-processor (batch-processor image code): S3 events -> processed parts + summary."""

from __future__ import annotations

import json

import boto3
import pytest
from example_support import EXAMPLES_DIR, load_module, sqs_record

APP_DIR = EXAMPLES_DIR / "batch-processor" / "app"
RAW, PROCESSED = "analytics-prod-raw-data", "analytics-prod-processed-data"

LINES = "\n".join(
    [
        json.dumps({"user_id": "u-1", "event": "Click", "value": 3, "timestamp": "2026-01-01T00:00:00Z"}),
        json.dumps({"user_id": "u-2", "event": "click", "value": 2}),
        json.dumps({"user_id": "u-1", "event": "view"}),
        "not json",
        json.dumps({"user_id": "", "event": "click"}),
        "",
    ]
)


def s3_event(bucket: str, key: str) -> str:
    """The body S3 sends to SQS for an ObjectCreated event (key URL-encoded, as S3 does)."""
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "us-east-1",
                    "eventTime": "2026-01-01T00:00:00.000Z",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                        "object": {"key": key.replace(" ", "+"), "size": 1},
                    },
                }
            ]
        }
    )


@pytest.fixture
def app(aws_sandbox, monkeypatch):
    monkeypatch.setenv("S3_BUCKET", PROCESSED)
    monkeypatch.setenv("BATCH_SIZE", "2")
    monkeypatch.setenv("PARALLEL_WORKERS", "3")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=RAW)
    s3.create_bucket(Bucket=PROCESSED)
    return load_module(APP_DIR / "app.py", extra_sys_path=[APP_DIR])


def read(key: str) -> str:
    return boto3.client("s3").get_object(Bucket=PROCESSED, Key=key)["Body"].read().decode()


def test_s3_notification_object_is_split_into_parts_and_summarized(app):
    boto3.client("s3").put_object(Bucket=RAW, Key="2026/01/day one.jsonl", Body=LINES.encode())
    record = sqs_record(s3_event(RAW, "2026/01/day one.jsonl"))
    assert app.handler({"Records": [record]}, None) == {"batchItemFailures": []}
    prefix = f"processed/{RAW}/2026/01/day one/"
    part0 = [json.loads(line) for line in read(prefix + "part-00000.jsonl").splitlines()]
    part1 = [json.loads(line) for line in read(prefix + "part-00001.jsonl").splitlines()]
    assert [r["event"] for r in part0 + part1] == ["click", "click", "view"]
    assert part1 == [{"user_id": "u-1", "event": "view", "value": 1}]
    summary = json.loads(read(prefix + "_SUMMARY.json"))
    assert summary == {
        "source": f"s3://{RAW}/2026/01/day one.jsonl",
        "valid_lines": 3,
        "invalid_lines": 2,
        "by_event": {"click": {"count": 2, "sum": 5}, "view": {"count": 1, "sum": 1}},
    }


def test_sqs_45_missing_object_fails_only_its_message(app):
    boto3.client("s3").put_object(Bucket=RAW, Key="ok.jsonl", Body=LINES.encode())
    ok = sqs_record(json.dumps({"bucket": RAW, "key": "ok.jsonl"}))
    missing = sqs_record(json.dumps({"bucket": RAW, "key": "gone.jsonl"}))
    garbage = sqs_record("[1, 2]")
    result = app.handler({"Records": [ok, missing, garbage]}, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": missing["messageId"]},
                                            {"itemIdentifier": garbage["messageId"]}]}
    assert json.loads(read(f"processed/{RAW}/ok/_SUMMARY.json"))["valid_lines"] == 3


def test_s3_test_event_is_acknowledged_without_output(app):
    record = sqs_record(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": RAW}))
    assert app.handler({"Records": [record]}, None) == {"batchItemFailures": []}
    assert boto3.client("s3").list_objects_v2(Bucket=PROCESSED).get("KeyCount") == 0


def test_sqs_25_reprocessing_overwrites_the_same_keys(app):
    boto3.client("s3").put_object(Bucket=RAW, Key="a.jsonl", Body=LINES.encode())
    body = json.dumps({"bucket": RAW, "key": "a.jsonl"})
    app.handler({"Records": [sqs_record(body)]}, None)
    first = sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=PROCESSED)["Contents"])
    app.handler({"Records": [sqs_record(body, receive_count=2)]}, None)
    second = sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=PROCESSED)["Contents"])
    assert first == second == [f"processed/{RAW}/a/_SUMMARY.json", f"processed/{RAW}/a/part-00000.jsonl",
                               f"processed/{RAW}/a/part-00001.jsonl"]


def test_normalize_line_rejects_non_finite_and_boolean_values(app):
    processing = load_module(APP_DIR / "processing.py")
    assert processing.normalize_line('{"user_id": "u", "event": "e", "value": true}') is None
    assert processing.normalize_line('{"user_id": "u", "event": "e", "value": NaN}') is None
    assert processing.normalize_line('{"user_id": "u", "event": " E ", "value": 2.5}') == {
        "user_id": "u", "event": "e", "value": 2.5}


def test_dockerfile_cmd_is_the_handler_the_tests_exercise():
    dockerfile = (APP_DIR / "Dockerfile").read_text()
    assert 'CMD ["app.handler"]' in dockerfile
    assert "app.py processing.py" in dockerfile

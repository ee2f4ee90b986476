"""examples/batch-processor end to end: its container-image function runs from the image's
code folder (``image_code_dirs``), fed by the raw bucket's S3 notifications through the data
queue, and writes the processed parts and summary.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from .push_support import client, running_sandbox, wait_for

pytestmark = pytest.mark.e2e

# <project>-<environment>-<function_name>, as the module names it; image_code_dirs is keyed by it
# before the apply, and the test checks the deployed name agrees.
FUNCTION_NAME = "analytics-prod-data-processor"


@pytest.fixture(scope="module")
def batch(examples_copy: Path):
    example = examples_copy / "batch-processor"
    # A 1 s batching window instead of the spec's 300 s, so the mapping invokes in test time.
    with running_sandbox(example, variables={"batching_window_seconds": "1"},
                         image_code_dirs={FUNCTION_NAME: example / "app"}) as sandbox:
        yield sandbox


def test_image_function_runs_from_its_local_code_folder(batch):
    outputs = batch.outputs()
    assert outputs["function_name"] == FUNCTION_NAME
    assert batch.not_runnable == {}
    config = client(batch, "lambda").get_function(FunctionName=FUNCTION_NAME)["Configuration"]
    assert config["PackageType"] == "Image"
    assert config["Architectures"] == ["arm64"]
    [status] = [f for f in batch.status()["functions"] if f["name"] == FUNCTION_NAME]
    assert status["runnable"] is True


def test_sqs_raw_upload_is_processed_by_the_image_function_into_the_processed_bucket(batch):
    outputs = batch.outputs()
    s3 = client(batch, "s3")
    key = f"events/{uuid.uuid4().hex[:8]}.jsonl"
    lines = [
        {"user_id": "u1", "event": "Click", "value": 2},
        {"user_id": "u2", "event": "click", "value": 3},
        {"user_id": "u1", "event": "view"},
        "not json",
    ]
    s3.put_object(Bucket=outputs["raw_data_bucket"], Key=key,
                  Body="\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines).encode())

    prefix = f"processed/{outputs['raw_data_bucket']}/{key.rsplit('.', 1)[0]}/"

    def summary() -> dict | None:
        listed = s3.list_objects_v2(Bucket=outputs["processed_data_bucket"], Prefix=prefix).get("Contents", [])
        if not any(o["Key"].endswith("_SUMMARY.json") for o in listed):
            return None
        return json.loads(s3.get_object(Bucket=outputs["processed_data_bucket"], Key=prefix + "_SUMMARY.json")["Body"].read())

    result = wait_for("the summary in the processed bucket", summary)
    assert result == {
        "source": f"s3://{outputs['raw_data_bucket']}/{key}",
        "valid_lines": 3,
        "invalid_lines": 1,
        "by_event": {"click": {"count": 2, "sum": 5}, "view": {"count": 1, "sum": 1}},
    }
    part = s3.get_object(Bucket=outputs["processed_data_bucket"], Key=prefix + "part-00000.jsonl")["Body"].read()
    assert [json.loads(line)["event"] for line in part.decode().splitlines()] == ["click", "click", "view"]
    [poller] = batch.pollers
    assert poller.stats.deleted >= 1  # the notification was consumed, not left for a retry


def test_message_naming_a_missing_object_is_reported_as_a_batch_item_failure(batch):
    outputs = batch.outputs()
    message_id = str(uuid.uuid4())
    event = {"Records": [{
        "messageId": message_id, "receiptHandle": "e2e", "eventSource": "aws:sqs",
        "eventSourceARN": outputs["queue_arn"], "awsRegion": "us-east-1", "attributes": {}, "messageAttributes": {},
        "body": json.dumps({"bucket": outputs["raw_data_bucket"], "key": "does/not/exist.jsonl"}),
    }]}
    response = client(batch, "lambda").invoke(FunctionName=FUNCTION_NAME, Payload=json.dumps(event).encode())
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"batchItemFailures": [{"itemIdentifier": message_id}]}

"""examples/payment-processor end to end: VPC config accepted with a note, KMS-encrypted
environment that still reaches the handler, X-Ray trace ids per invocation (REPORT lines and the
handler's own AWS calls), and asynchronous invocations retried twice then sent to the function's
DLQ with AWS's attributes.

The sandbox runs on a ``FakeClock`` that starts at the wall time: async retries wait 60 s and
120 s on that clock (ASY-2), so the test moves it instead of sleeping. Nothing else in this
example depends on the clock moving (its SQS mapping is not used here).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from pathlib import Path

import pytest

from lambda_processor.clock import FakeClock

from .push_support import QueueReader, client, log_messages, running_sandbox, wait_for

pytestmark = pytest.mark.e2e

TRACE_ROOT = re.compile(r"XRAY TraceId: (1-[0-9a-f]{8}-[0-9a-f]{24})\tSegmentId: [0-9a-f]{16}\tSampled: true")


class TraceHeaders:
    """WSGI middleware in front of the embedded AWS: remembers every request's X-Amzn-Trace-Id."""

    def __init__(self):
        self.seen: list[str] = []
        self._lock = threading.Lock()

    def wrap(self, app):
        def middleware(environ, start_response):
            header = environ.get("HTTP_X_AMZN_TRACE_ID")
            if header:
                with self._lock:
                    self.seen.append(header)
            return app(environ, start_response)

        return middleware

    def with_root(self, root: str) -> list[str]:
        with self._lock:
            return [h for h in self.seen if f"Root={root}" in h]


@pytest.fixture(scope="module")
def payments(examples_copy: Path):
    clock = FakeClock(start=time.time())
    with running_sandbox(examples_copy / "payment-processor", clock=clock) as sandbox:
        traces = TraceHeaders()
        sandbox.aws.wrap_wsgi_app(traces.wrap)
        yield sandbox, clock, traces


def sqs_event(queue_arn: str, *bodies: dict) -> bytes:
    """An SQS event as the mapping would send it (the handler reads messageId, body, attributes)."""
    return json.dumps({"Records": [{
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "e2e",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(int(time.time() * 1000)),
                       "SenderId": "e2e", "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000))},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    } for body in bodies]}).encode()


def payment(payment_id: str) -> dict:
    return {"payment_id": payment_id, "order_id": "o-" + payment_id, "amount": "25.99", "currency": "USD",
            "payment_token": "tok_visa_4242", "card_last4": "4242"}


def test_vpc_config_is_accepted_with_a_note_and_the_function_runs(payments):
    sandbox, _, _ = payments
    function = sandbox.outputs()["function_name"]
    assert function not in sandbox.not_runnable
    assert f"{function}: vpc_config accepted; networking is not emulated locally" in sandbox.notes
    config = client(sandbox, "lambda").get_function(FunctionName=function)["Configuration"]
    assert len(config["VpcConfig"]["SubnetIds"]) == 2
    assert config["VpcConfig"]["SecurityGroupIds"]


def test_kms_encrypted_environment_reaches_the_handler_which_stores_the_payment(payments):
    sandbox, _, _ = payments
    outputs = sandbox.outputs()
    config = client(sandbox, "lambda").get_function(FunctionName=outputs["function_name"])["Configuration"]
    assert config["KMSKeyArn"] == outputs["kms_key_arn"]
    payment_id = f"p-{uuid.uuid4().hex[:10]}"
    payload = sqs_event(outputs["queue_arn"], payment(payment_id))
    response = client(sandbox, "lambda").invoke(FunctionName=outputs["function_name"], Payload=payload)
    assert "FunctionError" not in response, response["Payload"].read()
    assert json.loads(response["Payload"].read()) == {"batchItemFailures": []}
    # The handler found its tables and buckets through the (KMS-encrypted) environment variables.
    row = client(sandbox, "dynamodb").get_item(TableName=outputs["payments_table_name"],
                                                Key={"payment_id": {"S": payment_id}})["Item"]
    assert row["status"] == {"S": "RECORDED"}
    archived = client(sandbox, "s3").get_object(Bucket=outputs["payment_files_bucket"], Key=f"payments/{payment_id}.json")
    assert json.loads(archived["Body"].read())["payment_id"] == payment_id


def test_inv_40_active_tracing_gives_each_invocation_a_trace_id_in_report_and_in_the_handler(payments):
    sandbox, _, traces = payments
    outputs = sandbox.outputs()
    function = outputs["function_name"]
    lam = client(sandbox, "lambda")
    roots = {}
    for _ in range(2):
        payload = sqs_event(outputs["queue_arn"], payment(f"p-{uuid.uuid4().hex[:10]}"))
        response = lam.invoke(FunctionName=function, LogType="Tail", Payload=payload)
        assert "FunctionError" not in response, response["Payload"].read()
        tail = base64.b64decode(response["LogResult"]).decode()
        match = re.search(r"REPORT RequestId: (\S+)\t.*\n" + TRACE_ROOT.pattern, tail)
        assert match, tail
        request_id, root = match.group(1), match.group(2)
        roots[request_id] = root
        # The handler saw _X_AMZN_TRACE_ID: boto3 inside Lambda forwards it as X-Amzn-Trace-Id
        # on every AWS call (S3 archive, two DynamoDB writes, S3 audit copy).
        assert len(traces.with_root(root)) >= 4
    assert len(set(roots.values())) == 2  # one trace per invocation
    # CloudWatch Logs has the same REPORT events, XRAY part included.
    reports = [m for m in log_messages(sandbox, function) if m.startswith("REPORT RequestId: ")]
    for request_id, root in roots.items():
        [report] = [m for m in reports if m.startswith(f"REPORT RequestId: {request_id}\t")]
        assert f"\nXRAY TraceId: {root}\t" in report


def test_asy_2_asy_8_failed_async_invocation_is_retried_twice_then_sent_to_the_function_dlq(payments):
    sandbox, clock, _ = payments
    outputs = sandbox.outputs()
    function = outputs["function_name"]
    marker = uuid.uuid4().hex
    # No messageId: the handler raises KeyError, a function error.
    event = {"Records": [{"body": "{}"}], "marker": marker}
    stats = sandbox.async_queue.stats[function]
    attempts_before, dlq_before = stats.attempts, stats.sent_to_dlq

    response = client(sandbox, "lambda").invoke(FunctionName=function, InvocationType="Event",
                                                Payload=json.dumps(event).encode())
    assert response["StatusCode"] == 202

    for attempt in (1, 2):
        wait_for(f"attempt {attempt} and a scheduled retry",
                 lambda: stats.attempts == attempts_before + attempt and sandbox.async_queue.next_due() is not None)
        delay = sandbox.async_queue.next_due() - clock.now()
        assert 60 * attempt - 1 <= delay <= 60 * attempt + 1  # ASY-2: ~1 min, then ~2 min
        assert stats.sent_to_dlq == dlq_before
        clock.advance(delay)
    wait_for("the third attempt and the DLQ delivery", lambda: stats.sent_to_dlq == dlq_before + 1)
    assert stats.attempts == attempts_before + 3

    dlq = QueueReader(client(sandbox, "sqs"), outputs["function_dlq_url"])
    [message] = wait_for("the event in the function DLQ",
                         lambda: dlq.matching(lambda m: json.loads(m["Body"]).get("marker") == marker))
    assert json.loads(message["Body"]) == event  # the original event, untouched
    attributes = message["MessageAttributes"]
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert "messageId" in attributes["ErrorMessage"]["StringValue"]
    request_id = attributes["RequestID"]["StringValue"]
    # All three attempts ran under the one request id the DLQ message names.
    starts = [m for m in log_messages(sandbox, function) if m.startswith(f"START RequestId: {request_id}")]
    assert len(starts) == 3


def test_asy_4_asy_7_invoke_config_put_through_the_api_applies_at_once(payments):
    sandbox, _, _ = payments
    outputs = sandbox.outputs()
    function = outputs["function_name"]
    sqs = client(sandbox, "sqs")
    failures_url = sqs.create_queue(QueueName=f"e2e-on-failure-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    failures_arn = sqs.get_queue_attributes(QueueUrl=failures_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam = client(sandbox, "lambda")
    lam.put_function_event_invoke_config(FunctionName=function, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    try:
        stats = sandbox.async_queue.stats[function]
        attempts_before, dlq_before, retries_before = stats.attempts, stats.sent_to_dlq, stats.retries_scheduled
        marker = uuid.uuid4().hex
        event = {"Records": [{"body": "{}"}], "marker": marker}
        assert lam.invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps(event).encode())["StatusCode"] == 202

        # No retries: one attempt, then straight to the DLQ and the on-failure destination.
        wait_for("the DLQ delivery", lambda: stats.sent_to_dlq == dlq_before + 1)
        assert stats.attempts == attempts_before + 1
        assert stats.retries_scheduled == retries_before
        dlq = QueueReader(sqs, outputs["function_dlq_url"])
        [dead] = wait_for("the event in the function DLQ",
                          lambda: dlq.matching(lambda m: json.loads(m["Body"]).get("marker") == marker))
        [record_message] = wait_for("the invocation record on the on-failure queue",
                                    lambda: QueueReader(sqs, failures_url).matching(lambda m: True))
        record = json.loads(record_message["Body"])
        assert record["requestContext"]["condition"] == "RetriesExhausted"
        assert record["requestContext"]["approximateInvokeCount"] == 1
        assert record["requestContext"]["requestId"] == dead["MessageAttributes"]["RequestID"]["StringValue"]
        assert record["requestContext"]["functionArn"] == f"{outputs['function_arn']}:$LATEST"
        assert record["requestPayload"] == event
        assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
        assert record["responsePayload"]["errorType"] == "KeyError"
    finally:
        lam.delete_function_event_invoke_config(FunctionName=function)

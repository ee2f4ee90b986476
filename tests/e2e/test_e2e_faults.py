"""Faults end to end (fixtures/faults): a handler that raises, one that runs past its timeout and
one that kills its own process, each behind its own queue (maxReceiveCount 2) and DLQ.

Rules: an exception, a timeout or a crash fails the whole batch (SQS-41); the batch's messages
become visible again after the queue's visibility timeout with a higher receive count, and the
queue's redrive moves a message to the DLQ once its receive count exceeds maxReceiveCount
(SQS-51). A timed-out or crashed environment is discarded, so the next invocation is a cold start.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from e2e_support import (
    FIXTURES_RELATIVE,
    InvocationRecorder,
    boto_client,
    drain,
    log_messages,
    queue_depth,
    running_sandbox,
    wait_until,
)

pytestmark = pytest.mark.e2e

KINDS = ("raises", "times-out", "crashes")
EXPECTED_ERROR_TYPES = {
    "raises": "DeliberateFailure",
    "times-out": "Sandbox.Timedout",
    "crashes": "Runtime.ExitError",
}
# What AWS says (INV-2, INV-3): the exception's text, the timeout, or how the runtime process ended
# ("always" crashes by SIGKILL, "once" by os._exit(3)).
EXPECTED_MESSAGES = {
    "always": {"raises": "failing on purpose (mode always)", "times-out": "Task timed out after 1.00 seconds",
               "crashes": "Runtime exited with error: signal: killed"},
    "once": {"raises": "failing on purpose (mode once)", "times-out": "Task timed out after 1.00 seconds",
             "crashes": "Runtime exited with error: exit status 3"},
}


@pytest.fixture(scope="module")
def faults(e2e_workspace):
    """fixtures/faults applied to one sandbox for this module, with an invocation recorder."""
    with running_sandbox(e2e_workspace / FIXTURES_RELATIVE / "faults") as sandbox:
        yield sandbox, InvocationRecorder.attach(sandbox)


def _invoke(lambda_client, function_name: str, mode: str) -> dict:
    response = lambda_client.invoke(FunctionName=function_name, Payload=json.dumps({"mode": mode}).encode(),
                                    LogType="Tail")
    return {
        "error": response.get("FunctionError"),
        "payload": json.loads(response["Payload"].read()),
        "tail": base64.b64decode(response.get("LogResult", "")).decode(),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_inv_2_inv_3_failure_has_aws_error_type_and_a_killed_environment_is_replaced_by_a_cold_one(faults, kind):
    sandbox, _ = faults
    function_name = sandbox.outputs()["function_names"][kind]
    lambda_client = boto_client(sandbox, "lambda")

    first = _invoke(lambda_client, function_name, "never")
    warm = _invoke(lambda_client, function_name, "never")
    failed = _invoke(lambda_client, function_name, "always")
    after = _invoke(lambda_client, function_name, "never")

    assert first["error"] is None and warm["error"] is None, (first, warm)
    assert "Init Duration" in first["tail"], first["tail"]  # the module's first invocation of this function
    assert warm["payload"]["pid"] == first["payload"]["pid"], "a warm invocation reuses its environment"
    assert "Init Duration" not in warm["tail"], warm["tail"]
    assert failed["error"] == "Unhandled"
    assert failed["payload"]["errorType"] == EXPECTED_ERROR_TYPES[kind], failed["payload"]
    assert EXPECTED_MESSAGES["always"][kind] in failed["payload"]["errorMessage"], failed["payload"]
    assert after["error"] is None, after
    if kind == "raises":
        # The runtime catches a handler's exception; the environment lives on (warm).
        assert after["payload"]["pid"] == first["payload"]["pid"]
        assert "Init Duration" not in after["tail"], after["tail"]
    else:
        # A timed-out or crashed environment is gone: the next invocation starts a new one (cold).
        assert after["payload"]["pid"] != first["payload"]["pid"]
        assert "Init Duration" in after["tail"], after["tail"]


def test_sqs_41_sqs_51_failed_batches_are_retried_then_processed_or_redriven_never_lost(faults):
    sandbox, recorder = faults
    outputs = sandbox.outputs()
    sqs = boto_client(sandbox, "sqs")
    sent: dict[str, dict[str, str]] = {}  # kind -> mode -> message id
    for kind in KINDS:
        url = outputs["queue_urls"][kind]
        sent[kind] = {mode: sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"mode": mode}))["MessageId"]
                      for mode in ("once", "always")}

    dead: dict[str, list[dict]] = {kind: [] for kind in KINDS}

    def settled() -> bool:
        for kind in KINDS:
            dead[kind].extend(drain(sqs, outputs["dlq_urls"][kind]))
        return all(queue_depth(sqs, outputs["queue_urls"][k]) == 0 and dead[k] for k in KINDS)

    wait_until(settled, lambda: f"DLQs {({k: len(v) for k, v in dead.items()})}, source depths "
                                f"{({k: queue_depth(sqs, outputs['queue_urls'][k]) for k in KINDS})}")
    for kind in KINDS:
        dead[kind].extend(drain(sqs, outputs["dlq_urls"][kind]))

    for kind in KINDS:
        function_name = outputs["function_names"][kind]
        deliveries = recorder.deliveries(function_name)
        once, always = sent[kind]["once"], sent[kind]["always"]

        # "once" failed on receive 1 and succeeded on receive 2: processed, not in the DLQ.
        assert [count for count, _ in deliveries[once]] == [1, 2], (kind, deliveries[once])
        first, retry = (call for _, call in deliveries[once])
        assert first.failed and first.error["errorType"] == EXPECTED_ERROR_TYPES[kind], (kind, first.error)
        assert EXPECTED_MESSAGES["once"][kind] in first.error["errorMessage"], (kind, first.error)
        assert not retry.failed, (kind, retry.result)

        # "always" failed on receives 1 and 2, then the redrive moved it to the DLQ (no 3rd invocation).
        assert [count for count, _ in deliveries[always]] == [1, 2], (kind, deliveries[always])
        assert all(call.error.get("errorType") == EXPECTED_ERROR_TYPES[kind] for _, call in deliveries[always])
        assert [m["MessageId"] for m in dead[kind]] == [always], (kind, dead[kind])
        assert json.loads(dead[kind][0]["Body"]) == {"mode": "always"}

        if kind != "raises":
            # Every receive-2 attempt came after the environments of the receive-1 attempts died.
            assert all(call.result.cold_start for count, call in deliveries[once] + deliveries[always] if count == 2), kind


def test_inv_20_logs_and_metrics_count_every_invocation_and_cold_start(faults):
    sandbox, recorder = faults
    sandbox.flush()
    logs = boto_client(sandbox, "logs")
    cloudwatch = boto_client(sandbox, "cloudwatch")
    now = datetime.now(timezone.utc)
    for kind in KINDS:
        function_name = sandbox.outputs()["function_names"][kind]
        messages = log_messages(logs, function_name)
        reports = [m for m in messages if m.startswith("REPORT RequestId:")]
        # The recorder saw every invocation, direct and SQS: each one has exactly one REPORT.
        assert len(reports) == len(recorder.for_function(function_name)), (kind, reports)
        calls = recorder.for_function(function_name)
        assert sandbox.metrics.totals()[function_name].cold_starts == sum(c.result.cold_start for c in calls) > 0
        assert sandbox.metrics.totals()[function_name].errors == sum(c.failed for c in calls) > 0
        for metric, expected in (("Invocations", len(calls)), ("Errors", sum(c.failed for c in calls))):
            points = cloudwatch.get_metric_statistics(
                Namespace="AWS/Lambda", MetricName=metric, Dimensions=[{"Name": "FunctionName", "Value": function_name}],
                StartTime=now - timedelta(minutes=15), EndTime=now + timedelta(minutes=1), Period=60, Statistics=["Sum"],
            )["Datapoints"]
            assert sum(p["Sum"] for p in points) == expected, (kind, metric, points)  # INV-2: a timeout is an error
        if kind == "times-out":
            timed_out = [m for m in messages if "Task timed out after 1.00 seconds" in m]
            assert len(timed_out) == sum(c.failed for c in calls), messages
        seen_counts = sorted(json.loads(m)["receiveCount"] for m in messages
                             if m.startswith("{") and json.loads(m).get("messageId"))
        assert seen_counts == [1, 1, 2, 2], (kind, seen_counts)

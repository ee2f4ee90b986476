"""Asynchronous invocation: retries, age, DLQ and destinations, on a FakeClock."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from lambda_processor.async_semantics import AsyncConfig, PayloadTooLargeError
from lambda_processor.clock import FakeClock
from lambda_processor.dataplane.async_queue import AsyncInvocationQueue, AsyncTarget
from lambda_processor.dataplane.invoker import InvokeOutcome

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"
DLQ = "arn:aws:sqs:us-east-1:123456789012:fn-dlq"


@dataclass(frozen=True)
class Result:
    payload: bytes
    function_error: str | None = None
    error_type: str | None = None
    error_message: str | None = None


class Function:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[tuple[bytes, str]] = []

    def __call__(self, name, payload, request_id):
        self.calls.append((payload, request_id))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer == "ok":
            return InvokeOutcome(Result(b'"done"'))
        if answer == "throttle":
            return InvokeOutcome(None, throttled=True)
        return InvokeOutcome(Result(b'{"errorMessage":"boom"}', "Unhandled", "ValueError", "boom"))


class Sent(list):
    def __call__(self, arn, body, attributes):
        self.append((arn, body, attributes))


def make(function, clock, **target):
    sent = Sent()
    settings = dict(function_name="fn", function_arn=ARN)
    settings.update(target)
    queue = AsyncInvocationQueue(function, clock=clock, target_for=lambda name: AsyncTarget(**settings), send=sent)
    return queue, sent


def run_until_idle(queue, clock, limit=24 * 3600):
    start = clock.now()
    while queue.pending() and clock.now() - start < limit:
        queue.process_due()
        due = queue.next_due()
        if due is not None and due > clock.now():
            clock.advance(due - clock.now())


def test_asy_1_submit_returns_a_request_id_and_queues():
    clock = FakeClock()
    queue, _ = make(Function("ok"), clock)
    request_id = queue.submit("fn", b"{}")
    assert request_id and queue.pending() == 1
    assert queue.process_due() == 1 and queue.pending() == 0


def test_asy_1_payload_over_1_mb_is_refused():
    queue, _ = make(Function("ok"), FakeClock())
    with pytest.raises(PayloadTooLargeError):
        queue.submit("fn", b"x" * (1024 * 1024 + 1))


def test_asy_2_function_error_is_retried_twice_after_one_and_two_minutes():
    clock = FakeClock()
    function = Function("error")
    queue, sent = make(function, clock, dead_letter_arn=DLQ)
    start = clock.now()
    request_id = queue.submit("fn", b'{"n": 1}')
    queue.process_due()
    assert len(function.calls) == 1
    clock.advance(59)
    queue.process_due()
    assert len(function.calls) == 1  # not yet
    clock.advance(1)
    queue.process_due()
    assert len(function.calls) == 2
    run_until_idle(queue, clock)
    assert len(function.calls) == 3
    assert clock.now() - start == pytest.approx(180)
    assert {rid for _, rid in function.calls} == {request_id}  # retries keep the request id
    assert queue.stats["fn"].conditions["RetriesExhausted"] == 1


def test_asy_8_exhausted_event_goes_to_the_dlq_unchanged_with_error_attributes():
    clock = FakeClock()
    queue, sent = make(Function("error"), clock, dead_letter_arn=DLQ)
    request_id = queue.submit("fn", b'{"n": 1}')
    run_until_idle(queue, clock)
    ((arn, body, attributes),) = sent
    assert arn == DLQ and body == '{"n": 1}'
    assert attributes["RequestID"]["StringValue"] == request_id
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["StringValue"] == "boom"


def test_asy_4_event_invoke_config_limits_retries():
    clock = FakeClock()
    function = Function("error")
    queue, sent = make(function, clock, config=AsyncConfig(maximum_retry_attempts=0), dead_letter_arn=DLQ)
    queue.submit("fn", b"{}")
    run_until_idle(queue, clock)
    assert len(function.calls) == 1 and len(sent) == 1


def test_asy_3_throttles_retry_with_backoff_without_using_retry_attempts():
    clock = FakeClock()
    function = Function("throttle", "throttle", "throttle", "ok")
    queue, sent = make(function, clock, dead_letter_arn=DLQ)
    start = clock.now()
    queue.submit("fn", b"{}")
    run_until_idle(queue, clock)
    assert len(function.calls) == 4
    assert clock.now() - start == pytest.approx(1 + 2 + 4)
    assert queue.stats["fn"].succeeded == 1 and sent == []


def test_asy_5_event_older_than_maximum_age_is_discarded_to_the_dlq():
    clock = FakeClock()
    function = Function("throttle")
    queue, sent = make(function, clock, config=AsyncConfig(maximum_event_age_seconds=60), dead_letter_arn=DLQ)
    queue.submit("fn", b"{}")
    run_until_idle(queue, clock)
    assert queue.stats["fn"].conditions["EventAgeExceeded"] == 1
    assert sent[0][2]["ErrorCode"]["StringValue"] == "429"


def test_asy_9_zero_reserved_concurrency_goes_straight_to_the_dlq():
    clock = FakeClock()
    function = Function("ok")
    queue, sent = make(function, clock, reserved_concurrency=0, dead_letter_arn=DLQ)
    queue.submit("fn", b"{}")
    queue.process_due()
    assert function.calls == [] and len(sent) == 1


def test_asy_7_destinations_receive_the_invocation_record():
    clock = FakeClock()
    queue, sent = make(Function("ok"), clock, on_success_arn="arn:aws:sqs:us-east-1:1:ok")
    request_id = queue.submit("fn", b'{"a": 1}')
    queue.process_due()
    ((arn, body, attributes),) = sent
    record = json.loads(body)
    assert arn.endswith(":ok") and attributes is None
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["functionArn"] == ARN + ":$LATEST"
    assert record["requestPayload"] == {"a": 1} and record["responsePayload"] == "done"


def test_asy_8_failed_dlq_delivery_counts_a_dead_letter_error():
    clock = FakeClock()

    def broken(arn, body, attributes):
        raise RuntimeError("queue deleted")

    queue = AsyncInvocationQueue(Function("error"), clock=clock, send=broken,
                                 target_for=lambda n: AsyncTarget("fn", ARN, AsyncConfig(maximum_retry_attempts=0), dead_letter_arn=DLQ))
    queue.submit("fn", b"{}")
    queue.process_due()
    assert queue.stats["fn"].dead_letter_errors == 1

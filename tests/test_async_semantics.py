"""Lambda async invocation rules (aws-semantics.md §4), one test per rule id."""

from __future__ import annotations

import json

import pytest

from lambda_processor.async_semantics import (
    AsyncConfig,
    AsyncEvent,
    Deliver,
    ResultKind,
    PayloadTooLargeError,
    Retry,
    check_async_payload,
    check_event_age,
    decide_after_attempt,
    dlq_message_attributes,
    eventbridge_destination_entry,
    invocation_record,
    throttle_delay,
)
from lambda_processor.errors import ConfigError

T0 = 1_800_000_000.0
DEFAULT = AsyncConfig()


def new_event() -> AsyncEvent:
    return AsyncEvent(request_id="req-1", payload=b'{"k": 1}', first_received_at=T0)


def run_until_delivered(kinds, config=DEFAULT, start=T0):
    """Feed attempt results; return (attempt times, final Deliver)."""
    event, now, times = new_event(), start, []
    for kind in kinds:
        times.append(now)
        decision = decide_after_attempt(event, kind, config, now)
        if isinstance(decision, Deliver):
            return times, decision
        event, now = decision.event, decision.at
    raise AssertionError("never delivered")


def test_asy_1_async_payload_limit_is_1_mb():
    check_async_payload(b"x" * 1024 * 1024, "fn")
    with pytest.raises(PayloadTooLargeError) as caught:
        check_async_payload(b"x" * (1024 * 1024 + 1), "fn")
    assert str(caught.value).startswith("fn: payload of 1048577 bytes exceeds")


def test_asy_2_function_errors_retry_twice_after_one_then_two_minutes():
    times, final = run_until_delivered([ResultKind.FUNCTION_ERROR] * 3)
    assert [t - T0 for t in times] == [0.0, 60.0, 180.0]
    assert final.condition == "RetriesExhausted"
    assert final.event.attempts == 3
    assert final.failed


def test_asy_2_success_on_a_retry_is_delivered_as_success():
    times, final = run_until_delivered([ResultKind.FUNCTION_ERROR, ResultKind.SUCCESS])
    assert final.condition == "Success" and not final.failed
    assert final.event.attempts == 2


def test_asy_3_throttles_back_off_exponentially_without_using_retry_attempts():
    assert [throttle_delay(n) for n in range(1, 12)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    event = new_event()
    decision = decide_after_attempt(event, ResultKind.THROTTLED, DEFAULT, T0)
    assert isinstance(decision, Retry)
    assert decision.at == T0 + 1
    assert decision.event.attempts == 0 and decision.event.throttle_count == 1
    # Ten throttles then three function errors: still three real attempts before giving up.
    times, final = run_until_delivered([ResultKind.THROTTLED] * 10 + [ResultKind.FUNCTION_ERROR] * 3)
    assert final.condition == "RetriesExhausted"
    assert final.event.attempts == 3 and final.event.throttle_count == 10


def test_asy_3_throttled_until_maximum_event_age():
    config = AsyncConfig(maximum_event_age_seconds=3600)
    times, final = run_until_delivered([ResultKind.THROTTLED] * 100, config)
    assert final.condition == "EventAgeExceeded"
    assert times[-1] - T0 < 3600
    assert final.event.attempts == 0


def test_asy_4_event_invoke_config_limits_and_zero_retries():
    with pytest.raises(ConfigError, match="maximum_retry_attempts"):
        AsyncConfig(maximum_retry_attempts=3)
    with pytest.raises(ConfigError, match="maximum_event_age_in_seconds"):
        AsyncConfig(maximum_event_age_seconds=59)
    times, final = run_until_delivered([ResultKind.FUNCTION_ERROR], AsyncConfig(maximum_retry_attempts=0))
    assert final.condition == "RetriesExhausted" and len(times) == 1


def test_asy_5_event_older_than_maximum_age_is_discarded():
    config = AsyncConfig(maximum_event_age_seconds=100)
    event = new_event()
    assert check_event_age(event, config, T0 + 99) is None
    assert check_event_age(event, config, T0 + 100).condition == "EventAgeExceeded"
    # A function-error retry 60 s later fits; the next (120 s later) would be too old.
    first = decide_after_attempt(event, ResultKind.FUNCTION_ERROR, config, T0)
    assert isinstance(first, Retry) and first.at == T0 + 60
    second = decide_after_attempt(first.event, ResultKind.FUNCTION_ERROR, config, first.at)
    assert isinstance(second, Deliver) and second.condition == "EventAgeExceeded"


def test_asy_7_invocation_record_shape():
    record = invocation_record(
        request_id="req-1",
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
        condition="RetriesExhausted",
        approximate_invoke_count=3,
        request_payload=b'{"k": 1}',
        timestamp=T0 + 0.5678,
        function_error="Unhandled",
        response_payload=b'{"errorMessage": "boom", "errorType": "ValueError"}',
    )
    assert record == {
        "version": "1.0",
        "timestamp": "2027-01-15T08:00:00.567Z",
        "requestContext": {
            "requestId": "req-1",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"k": 1},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "boom", "errorType": "ValueError"},
    }
    success = invocation_record(
        request_id="r", function_arn="a", condition="Success", approximate_invoke_count=1,
        request_payload="not json", timestamp=T0, response_payload=b"null",
    )
    assert success["requestPayload"] == "not json"
    assert "functionError" not in success["responseContext"] and success["responsePayload"] is None
    never_ran = invocation_record(
        request_id="r", function_arn="a", condition="ZeroReservedConcurrency", approximate_invoke_count=0,
        request_payload=b"{}", timestamp=T0, status_code=None,
    )
    assert "responseContext" not in never_ran and "responsePayload" not in never_ran


def test_asy_7_eventbridge_destination_entry():
    record = invocation_record(
        request_id="r", function_arn="fn-arn", condition="Success", approximate_invoke_count=1,
        request_payload=b"{}", timestamp=T0, response_payload=b"{}",
    )
    entry = eventbridge_destination_entry(record, "fn-arn", "arn:aws:events:us-east-1:1:event-bus/default")
    assert entry["Source"] == "lambda"
    assert entry["DetailType"].endswith("Success")
    assert json.loads(entry["Detail"]) == record
    assert entry["Resources"] == ["fn-arn", "arn:aws:events:us-east-1:1:event-bus/default"]
    assert entry["EventBusName"] == "default"


def test_asy_8_dlq_message_attributes_truncate_error_message_to_1kb():
    attributes = dlq_message_attributes("req-1", 200, "é" * 1000)
    assert attributes["RequestID"] == {"DataType": "String", "StringValue": "req-1"}
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    message = attributes["ErrorMessage"]["StringValue"]
    assert attributes["ErrorMessage"]["DataType"] == "String"
    assert len(message.encode("utf-8")) == 1024 and message == "é" * 512
    assert dlq_message_attributes("r", 429, "short")["ErrorMessage"]["StringValue"] == "short"


def test_asy_9_zero_reserved_concurrency_fails_without_retries():
    decision = decide_after_attempt(new_event(), ResultKind.THROTTLED, DEFAULT, T0, reserved_concurrency=0)
    assert isinstance(decision, Deliver)
    assert decision.condition == "ZeroReservedConcurrency" and decision.failed
    assert decision.event.attempts == 0


def test_sns_1_and_eb_4_function_errors_use_the_function_async_policy_not_the_sources():
    # SNS and EventBridge hand the event to Lambda's queue; from then on the same policy applies.
    config = AsyncConfig(maximum_retry_attempts=1)
    times, final = run_until_delivered([ResultKind.FUNCTION_ERROR] * 2, config)
    assert [t - T0 for t in times] == [0.0, 60.0]
    assert final.condition == "RetriesExhausted"

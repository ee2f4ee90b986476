"""Lambda asynchronous invocation (aws-semantics.md §4 ASY, SNS-1, EB-4): pure decisions.

SNS, EventBridge and ``Invoke(InvocationType=Event)`` all end up in Lambda's internal
event queue. After every attempt ``decide_after_attempt`` says whether to try again (and
when) or to hand the event to its final destination with an AWS condition. Time is a
value passed in (``now``); the caller owns the queue and the clock.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from lambda_processor.errors import ConfigError, LambdaProcessorError

DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2  # ASY-2/ASY-4
DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600  # ASY-3/ASY-4: 6 hours
# ASY-2: "~1 minute before the 2nd attempt, ~2 minutes before the 3rd".
FUNCTION_ERROR_RETRY_DELAYS_SECONDS = (60.0, 120.0)
THROTTLE_INITIAL_DELAY_SECONDS = 1.0  # ASY-3
THROTTLE_MAX_DELAY_SECONDS = 300.0  # ASY-3: grows exponentially to 5 minutes
DLQ_ERROR_MESSAGE_MAX_BYTES = 1024  # ASY-8
ASYNC_PAYLOAD_LIMIT_BYTES = 1024 * 1024  # ASY-1: 1 MB since Oct 2025 (256 KB before)

CONDITION_SUCCESS = "Success"
CONDITION_RETRIES_EXHAUSTED = "RetriesExhausted"
CONDITION_EVENT_AGE_EXCEEDED = "EventAgeExceeded"
# ASY-9: no attempt ever runs. The condition name is LocalStack's (AWS's is UNVERIFIED).
CONDITION_ZERO_RESERVED_CONCURRENCY = "ZeroReservedConcurrency"


class PayloadTooLargeError(LambdaProcessorError):
    """An asynchronous invoke payload above the limit (AWS: HTTP 413, nothing is queued)."""


def check_async_payload(payload: bytes, function_name: str) -> None:
    """ASY-1: refuse an ``InvocationType=Event`` payload over 1 MB before queuing it."""
    if len(payload) > ASYNC_PAYLOAD_LIMIT_BYTES:
        raise PayloadTooLargeError(
            f"payload of {len(payload)} bytes exceeds the {ASYNC_PAYLOAD_LIMIT_BYTES}-byte limit "
            "for asynchronous invocation (ASY-1)",
            where=function_name,
            hint="send a reference (e.g. an S3 key) instead of the data",
        )


class ResultKind(enum.Enum):
    """How one attempt ended, as far as retry policy cares."""

    SUCCESS = "success"
    FUNCTION_ERROR = "function_error"  # exception, runtime error, timeout (ASY-2)
    THROTTLED = "throttled"  # 429, and 5xx system errors, which retry the same way (ASY-3)


@dataclass(frozen=True)
class AsyncConfig:
    """``FunctionEventInvokeConfig`` (ASY-4); the defaults apply when none is deployed."""

    maximum_retry_attempts: int = DEFAULT_MAXIMUM_RETRY_ATTEMPTS
    maximum_event_age_seconds: int = DEFAULT_MAXIMUM_EVENT_AGE_SECONDS

    def __post_init__(self) -> None:
        if not 0 <= self.maximum_retry_attempts <= 2:
            raise ConfigError(
                f"must be 0-2 (got {self.maximum_retry_attempts})",
                where="event_invoke_config.maximum_retry_attempts",
                hint="ASY-4",
            )
        if not 60 <= self.maximum_event_age_seconds <= 21_600:
            raise ConfigError(
                f"must be 60-21600 seconds (got {self.maximum_event_age_seconds})",
                where="event_invoke_config.maximum_event_age_in_seconds",
                hint="ASY-4",
            )


@dataclass(frozen=True)
class AsyncEvent:
    """One queued event and its history. ``attempts`` counts invocations that ran."""

    request_id: str
    payload: bytes
    first_received_at: float
    attempts: int = 0
    throttle_count: int = 0

    def age(self, now: float) -> float:
        """Seconds since Lambda accepted the event."""
        return now - self.first_received_at


@dataclass(frozen=True)
class Retry:
    """Put the event back in the queue; attempt again at ``at``."""

    at: float
    event: AsyncEvent


@dataclass(frozen=True)
class Deliver:
    """Stop: send the event to the on-success/on-failure destination (and DLQ on failure)."""

    condition: str
    event: AsyncEvent

    @property
    def failed(self) -> bool:
        """True for every condition except Success (these go to the DLQ / on-failure)."""
        return self.condition != CONDITION_SUCCESS


Decision = Retry | Deliver


def check_event_age(event: AsyncEvent, config: AsyncConfig, now: float) -> Deliver | None:
    """Before an attempt: an event past its maximum age is discarded (ASY-5)."""
    if event.age(now) >= config.maximum_event_age_seconds:
        return Deliver(CONDITION_EVENT_AGE_EXCEEDED, event)
    return None


def throttle_delay(throttle_count: int) -> float:
    """Delay after the ``throttle_count``-th throttle: 1 s, 2 s, 4 s ... capped at 5 min (ASY-3)."""
    exponent = max(0, throttle_count - 1)
    return min(THROTTLE_INITIAL_DELAY_SECONDS * (2.0 ** min(exponent, 32)), THROTTLE_MAX_DELAY_SECONDS)


def function_error_delay(attempts_made: int) -> float:
    """Delay before attempt ``attempts_made + 1`` after a function error (ASY-2)."""
    index = min(attempts_made, len(FUNCTION_ERROR_RETRY_DELAYS_SECONDS)) - 1
    return FUNCTION_ERROR_RETRY_DELAYS_SECONDS[max(index, 0)]


def decide_after_attempt(
    event: AsyncEvent,
    result_kind: ResultKind,
    config: AsyncConfig,
    now: float,
    reserved_concurrency: int | None = None,
) -> Decision:
    """What happens after one attempt. ``event`` is the state before the attempt.

    * reserved concurrency 0: straight to failure, no retries (ASY-9);
    * success: Deliver("Success");
    * function error: up to ``maximum_retry_attempts`` retries, 60 s then 120 s later (ASY-2);
    * throttle: retried 1 s, 2 s, 4 s ... 5 min later without using up retry attempts (ASY-3);
    * a retry that would start after the maximum event age: Deliver("EventAgeExceeded") now.
    """
    if reserved_concurrency == 0:
        return Deliver(CONDITION_ZERO_RESERVED_CONCURRENCY, event)
    if result_kind is ResultKind.SUCCESS:
        return Deliver(CONDITION_SUCCESS, replace(event, attempts=event.attempts + 1))
    if result_kind is ResultKind.FUNCTION_ERROR:
        after = replace(event, attempts=event.attempts + 1)
        if after.attempts > config.maximum_retry_attempts:
            return Deliver(CONDITION_RETRIES_EXHAUSTED, after)
        retry_at = now + function_error_delay(after.attempts)
    else:
        after = replace(event, throttle_count=event.throttle_count + 1)
        retry_at = now + throttle_delay(after.throttle_count)
    if retry_at - after.first_received_at >= config.maximum_event_age_seconds:
        return Deliver(CONDITION_EVENT_AGE_EXCEEDED, after)
    return Retry(retry_at, after)


# --------------------------------------------------------------------------------------
# What failed events carry
# --------------------------------------------------------------------------------------


def _truncate_utf8(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def dlq_message_attributes(request_id: str, error_code: int | str, error_message: str) -> dict:
    """Message attributes of the function DLQ message (ASY-8), in SQS/SNS API shape.

    ``error_code`` is the HTTP status of the last attempt (200 for a function error,
    429 for a throttle); ``error_message`` is cut to its first 1 KB.
    """
    return {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": str(int(error_code))},
        "ErrorMessage": {
            "DataType": "String",
            "StringValue": _truncate_utf8(error_message, DLQ_ERROR_MESSAGE_MAX_BYTES),
        },
    }


def _iso_millis(epoch_seconds: float) -> str:
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _json_or_text(payload: bytes | str | None) -> Any:
    if payload is None:
        return None
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    try:
        return json.loads(text)
    except ValueError:
        return text


def invocation_record(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    approximate_invoke_count: int,
    request_payload: bytes | str,
    timestamp: float,
    status_code: int | None = 200,
    executed_version: str = "$LATEST",
    function_error: str | None = None,
    response_payload: bytes | str | None = None,
) -> dict:
    """The destination invocation record (ASY-7).

    ``function_arn`` is qualified (``...:function:f:$LATEST``). ``status_code=None`` means
    no attempt ran (zero reserved concurrency, event too old before its first attempt):
    the record then has no ``responseContext``/``responsePayload``.
    """
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": _iso_millis(timestamp),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
        "requestPayload": _json_or_text(request_payload),
    }
    if status_code is not None:
        response_context: dict[str, Any] = {"statusCode": status_code, "executedVersion": executed_version}
        if function_error is not None:
            response_context["functionError"] = function_error
        record["responseContext"] = response_context
        record["responsePayload"] = _json_or_text(response_payload)
    return record


# The AWS doc prints an en dash here; LocalStack emits a hyphen (UNVERIFIED which AWS sends).
DESTINATION_DETAIL_TYPE_SUCCESS = "Lambda Function Invocation Result - Success"
DESTINATION_DETAIL_TYPE_FAILURE = "Lambda Function Invocation Result - Failure"


def eventbridge_destination_entry(record: dict, function_arn: str, destination_arn: str) -> dict:
    """``PutEvents`` entry for an EventBridge-bus destination (ASY-7)."""
    succeeded = record["requestContext"]["condition"] == CONDITION_SUCCESS
    bus_name = destination_arn.rsplit("/", 1)[-1] if ":event-bus/" in destination_arn else destination_arn
    return {
        "Source": "lambda",
        "DetailType": DESTINATION_DETAIL_TYPE_SUCCESS if succeeded else DESTINATION_DETAIL_TYPE_FAILURE,
        "Detail": json.dumps(record),
        "Resources": [function_arn, destination_arn],
        "EventBusName": bus_name,
    }

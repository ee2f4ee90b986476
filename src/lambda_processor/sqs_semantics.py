"""SQS event source mapping rules (aws-semantics.md §1): pure data in, data out.

What lives here, in the order the poller uses it:

* ``ReceivedMessage`` -> ``build_sqs_record``: the exact Lambda record (SQS-60..62).
* ``FilterSet`` / ``filter_messages``: filter criteria with the FLT-5 body rules.
* ``should_invoke`` / ``BatchWindow`` / ``take_within_payload_limit``: when a batch is sent (SQS-22/23).
* ``FifoGroupGate``: which FIFO messages may be handed out (SQS-26).
* ``decide_batch_outcome`` / ``fifo_retry_set``: what happens to a batch after the invoke
  (SQS-40..50). The poller alone turns a ``BatchOutcome`` into queue calls.
* ``validate_mapping`` / ``lint_sqs_filter_pattern``: configuration errors and advice.
"""

from __future__ import annotations

import base64
import enum
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from lambda_processor.errors import LambdaProcessorError
from lambda_processor.patterns import EventPattern, PatternError, compile_pattern, flatten_event

EVENT_SOURCE = "aws:sqs"
SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024  # SQS-22 (c): synchronous Invoke request limit
INVALID_FILTER_MESSAGE = "Invalid filter pattern definition."  # FLT-6, AWS's exact text
# SQS-14: what CreateEventSourceMapping fills in for an SQS source.
DEFAULT_BATCH_SIZE = 10
DEFAULT_MAXIMUM_BATCHING_WINDOW_SECONDS = 0
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
EFFECTIVE_VISIBILITY_MARGIN_SECONDS = 30  # SQS-11
BATCH_WINDOW_MESSAGE = (  # SQS-3, AWS's exact text
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
)


# --------------------------------------------------------------------------------------
# Messages and records
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as ``ReceiveMessage`` returned it (SQS API shapes, real state)."""

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    # ApproximateReceiveCount, SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp
    # (+ SequenceNumber, MessageGroupId, MessageDeduplicationId on FIFO queues).
    attributes: Mapping[str, str] = field(default_factory=dict)
    # {"Name": {"DataType": "String", "StringValue": "..."}} or "BinaryValue" (bytes or base64 text)
    message_attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    md5_of_message_attributes: str | None = None

    def __hash__(self) -> int:
        # The mappings make the generated hash fail; a receive is identified by its handle.
        return hash((self.message_id, self.receipt_handle))

    @property
    def message_group_id(self) -> str | None:
        """The FIFO message group, or None on a standard queue."""
        return self.attributes.get("MessageGroupId")


def _base64_text(value: bytes | str) -> str:
    # boto3 hands binary values back as bytes; the wire (and some ports) carry base64 text.
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def lambda_message_attribute(api_attribute: Mapping[str, Any]) -> dict:
    """SQS API message attribute -> Lambda record shape (SQS-62: lower-camel, base64 binary)."""
    record: dict[str, Any] = {}
    if api_attribute.get("StringValue") is not None:
        record["stringValue"] = api_attribute["StringValue"]
    if api_attribute.get("BinaryValue") is not None:
        record["binaryValue"] = _base64_text(api_attribute["BinaryValue"])
    record["stringListValues"] = list(api_attribute.get("StringListValues") or [])
    record["binaryListValues"] = [_base64_text(v) for v in api_attribute.get("BinaryListValues") or []]
    record["dataType"] = api_attribute["DataType"]
    return record


def _record_without_source(message: ReceivedMessage) -> dict:
    return {
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": {name: str(value) for name, value in message.attributes.items()},
        "messageAttributes": {
            name: lambda_message_attribute(value) for name, value in message.message_attributes.items()
        },
        # SQS-62: AWS's echo recordings carry null when there are no attributes.
        "md5OfMessageAttributes": message.md5_of_message_attributes,
        "md5OfBody": message.md5_of_body,
    }


def build_sqs_record(message: ReceivedMessage, queue_arn: str, region: str) -> dict:
    """The exact record Lambda puts in ``{"Records": [...]}`` for this message (SQS-60..62)."""
    record = _record_without_source(message)
    record["eventSource"] = EVENT_SOURCE
    record["eventSourceARN"] = queue_arn
    record["awsRegion"] = region
    return record


def payload_size(records: Sequence[dict]) -> int:
    """Bytes of the invoke payload ``{"Records": records}`` as the invoker serialises it."""
    return len(json.dumps({"Records": list(records)}).encode("utf-8"))


# --------------------------------------------------------------------------------------
# Filtering (FLT-1..FLT-9)
# --------------------------------------------------------------------------------------


class FilterCriteriaError(LambdaProcessorError):
    """A filter pattern of a mapping is invalid (FLT-6). ``message`` is AWS's text."""


@dataclass(frozen=True)
class FilterSet:
    """The mapping's filters, ORed (FLT-1). No filters: every message is kept."""

    patterns: tuple[EventPattern, ...] = ()

    @classmethod
    def from_patterns(cls, patterns: Iterable[str | dict | None]) -> FilterSet:
        """Compile ``FilterCriteria.Filters[*].Pattern`` strings; raise FilterCriteriaError if one is invalid."""
        compiled = []
        for index, pattern in enumerate(patterns):
            if pattern is None:
                raise FilterCriteriaError(
                    INVALID_FILTER_MESSAGE, where=f"filter_criteria.filter[{index}].pattern", hint="pattern is null"
                )
            try:
                compiled.append(compile_pattern(pattern))
            except PatternError as e:
                raise FilterCriteriaError(
                    INVALID_FILTER_MESSAGE, where=f"filter_criteria.filter[{index}].pattern", hint=e.reason
                ) from e
        return cls(tuple(compiled))

    def keeps(self, message: ReceivedMessage) -> bool:
        """True when the message matches any filter (or there are no filters)."""
        if not self.patterns:
            return True
        record, body_is_json = filter_record(message)
        leaves = flatten_event(record)
        for pattern in self.patterns:
            for conjunction in pattern.conjunctions:
                if _body_form_fits(conjunction.paths, body_is_json) and conjunction.matches_flat(leaves):
                    return True
        return False


def _parse_json_body(body: str) -> tuple[bool, Any]:
    def reject_constant(name: str) -> Any:  # NaN/Infinity are not JSON
        raise ValueError(name)

    try:
        return True, json.loads(body, parse_constant=reject_constant)
    except ValueError:
        return False, None


def filter_record(message: ReceivedMessage) -> tuple[dict, bool]:
    """The record filters see, and whether the body was valid JSON.

    FLT-5: a JSON body is matched as parsed JSON (the function still gets the string).
    FLT-9: ``eventSource``/``eventSourceARN``/``awsRegion`` are added after filtering.
    """
    record = _record_without_source(message)
    is_json, parsed = _parse_json_body(message.body)
    if is_json:
        record["body"] = parsed
    return record, is_json


def _body_form_fits(paths: frozenset[str], body_is_json: bool) -> bool:
    """FLT-5's table: a plain-string pattern needs a plain body, an object pattern a JSON body."""
    pattern_body_is_value = "body" in paths
    pattern_body_is_object = any(path.startswith("body.") for path in paths)
    if pattern_body_is_value and body_is_json:
        return False
    if pattern_body_is_object and not body_is_json:
        return False
    return True


def filter_messages(
    filter_set: FilterSet, messages: Iterable[ReceivedMessage]
) -> tuple[list[ReceivedMessage], list[ReceivedMessage]]:
    """Split messages into (kept, dropped). Dropped ones are deleted by the poller (FLT-2)."""
    kept: list[ReceivedMessage] = []
    dropped: list[ReceivedMessage] = []
    for message in messages:
        (kept if filter_set.keeps(message) else dropped).append(message)
    return kept, dropped


SQS_RECORD_FILTER_KEYS = frozenset(
    {"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody", "md5OfMessageAttributes"}
)
_SOURCE_METADATA_KEYS = frozenset({"eventSource", "eventSourceARN", "awsRegion"})
_UNDOCUMENTED_FOR_LAMBDA = {  # PAT-31: operators Lambda's filtering doc does not list
    "wildcard": "wildcard",
    "cidr": "cidr",
    "$or": "$or",
    "anything-but/prefix": "anything-but with prefix",
    "anything-but/suffix": "anything-but with suffix",
    "anything-but/equals-ignore-case": "anything-but with equals-ignore-case",
    "anything-but/wildcard": "anything-but with wildcard",
}


def lint_sqs_filter_pattern(pattern: str | dict) -> list[str]:
    """Advice for one SQS filter pattern; raises FilterCriteriaError if it is invalid."""
    compiled = FilterSet.from_patterns([pattern]).patterns[0]
    warnings = []
    for key in sorted(compiled.top_level_keys):
        if key in _SOURCE_METADATA_KEYS:
            warnings.append(
                f"filter key '{key}' is added after filtering and never matches (FLT-9); filter on 'body' instead"
            )
        elif key not in SQS_RECORD_FILTER_KEYS:
            warnings.append(
                f"filter key '{key}' is not a field of an SQS record, so no message can match (SQS-60); "
                "filter on 'body'"
            )
        elif key != "body":
            warnings.append(
                f"filter key '{key}': Lambda documents SQS filtering on 'body' only (FLT-4); "
                "metadata filters may be rejected or ignored in AWS"
            )
    for operator in sorted(compiled.operators):
        if operator in _UNDOCUMENTED_FOR_LAMBDA:
            warnings.append(
                f"operator {_UNDOCUMENTED_FOR_LAMBDA[operator]} is not in Lambda's filter documentation (PAT-31); "
                "it may be rejected by CreateEventSourceMapping"
            )
    return warnings


# --------------------------------------------------------------------------------------
# Batch assembly (SQS-22, SQS-23)
# --------------------------------------------------------------------------------------


def should_invoke(
    now: float,
    window_started_at: float,
    batch_size: int,
    window_seconds: float,
    gathered_count: int,
    gathered_bytes: int,
) -> bool:
    """SQS-22: send when the batch is full, the payload hit 6 MB, or the window elapsed."""
    if gathered_count <= 0:
        return False
    return (
        gathered_count >= batch_size
        or gathered_bytes >= SYNC_PAYLOAD_LIMIT_BYTES
        or now - window_started_at >= window_seconds
    )


@dataclass(frozen=True)
class BatchWindow:
    """A mapping's batching settings, with the SQS-22 decision as a method."""

    batch_size: int = 10
    window_seconds: float = 0.0

    def due(self, now: float, window_started_at: float, gathered_count: int, gathered_bytes: int) -> bool:
        """True when the gathered records must be sent now."""
        return should_invoke(
            now, window_started_at, self.batch_size, self.window_seconds, gathered_count, gathered_bytes
        )

    def deadline(self, window_started_at: float) -> float:
        """When the current window closes."""
        return window_started_at + self.window_seconds


def take_within_payload_limit(records: Sequence[dict], limit: int = SYNC_PAYLOAD_LIMIT_BYTES) -> int:
    """How many leading records fit in one invoke payload (SQS-23); at least 1 if any.

    A single record larger than the limit is still returned alone so it can fail visibly
    instead of blocking the queue forever.
    """
    envelope = len(b'{"Records": []}')
    size = envelope
    for count, record in enumerate(records):
        record_bytes = len(json.dumps(record).encode("utf-8")) + (2 if count else 0)  # ", "
        if count and size + record_bytes > limit:
            return count
        size += record_bytes
    return len(records)


# --------------------------------------------------------------------------------------
# FIFO group gating (SQS-26)
# --------------------------------------------------------------------------------------


class FifoGroupGate:
    """Which FIFO messages may go to the function now (pure state, not thread-safe).

    Rules: a group with a message in flight gets nothing more (SQS-26); within one
    ``admit`` call a group's messages keep their order and stop at the first one held
    back; after a failure the group waits until the failed messages come back (the retry)
    or are ``forget``-ed (deleted, or moved to the DLQ by redrive).
    """

    def __init__(self) -> None:
        self._in_flight: dict[str, set[str]] = {}
        self._awaiting_retry: dict[str, list[str]] = {}

    def admit(self, messages: Sequence[ReceivedMessage]) -> list[ReceivedMessage]:
        """The messages that may be invoked now, in order; they become in flight."""
        admitted: list[ReceivedMessage] = []
        held_groups: set[str] = set()
        for message in messages:
            group = message.message_group_id or ""
            if group in held_groups or self._in_flight.get(group):
                held_groups.add(group)
                continue
            awaiting = self._awaiting_retry.get(group)
            if awaiting:
                if message.message_id != awaiting[0]:
                    held_groups.add(group)
                    continue
                awaiting.pop(0)
                if not awaiting:
                    del self._awaiting_retry[group]
            admitted.append(message)
        for message in admitted:
            self._in_flight.setdefault(message.message_group_id or "", set()).add(message.message_id)
        return admitted

    def complete(self, messages: Sequence[ReceivedMessage], retry_ids: Iterable[str] = ()) -> None:
        """The invoke of ``messages`` finished; ``retry_ids`` stay in the queue for a retry."""
        retry = set(retry_ids)
        for message in messages:
            group = message.message_group_id or ""
            in_flight = self._in_flight.get(group)
            if in_flight is not None:
                in_flight.discard(message.message_id)
                if not in_flight:
                    del self._in_flight[group]
            if message.message_id in retry:
                self._awaiting_retry.setdefault(group, []).append(message.message_id)

    def forget(self, message_ids: Iterable[str]) -> None:
        """Messages that left the queue without a retry (redriven to the DLQ, deleted)."""
        gone = set(message_ids)
        for group in list(self._awaiting_retry):
            remaining = [m for m in self._awaiting_retry[group] if m not in gone]
            if remaining:
                self._awaiting_retry[group] = remaining
            else:
                del self._awaiting_retry[group]

    @property
    def in_flight_groups(self) -> frozenset[str]:
        """Groups with a message currently being processed."""
        return frozenset(self._in_flight)

    @property
    def blocked_groups(self) -> frozenset[str]:
        """Groups waiting for failed messages to come back."""
        return frozenset(self._awaiting_retry)


# --------------------------------------------------------------------------------------
# Batch outcome (SQS-40..SQS-50)
# --------------------------------------------------------------------------------------


class OutcomeKind(enum.Enum):
    """How a batch ended: all deleted, some left for retry, or all left for retry."""

    SUCCESS = "success"
    PARTIAL = "partial"
    FAILED = "failed"


@dataclass(frozen=True)
class BatchOutcome:
    """What to do with a batch: ``delete`` and ``retry`` hold message ids, in batch order."""

    kind: OutcomeKind
    delete: tuple[str, ...]
    retry: tuple[str, ...]
    error: str | None = None


def _success(ids: tuple[str, ...]) -> BatchOutcome:
    return BatchOutcome(OutcomeKind.SUCCESS, ids, ())


def _failure(ids: tuple[str, ...], error: str) -> BatchOutcome:
    return BatchOutcome(OutcomeKind.FAILED, (), ids, error)


def decide_batch_outcome(
    message_ids: Sequence[str],
    *,
    function_error: str | None,
    response_payload: bytes | None,
    report_batch_item_failures: bool,
) -> BatchOutcome:
    """Turn an invocation result into queue actions, following AWS exactly.

    SQS-41/48: a function error (exception, timeout, crash) fails the whole batch.
    SQS-40/44: without ReportBatchItemFailures a normal return deletes everything.
    SQS-46: null response, ``{}``, null or empty ``batchItemFailures`` = success.
    SQS-47: invalid JSON, a non-list ``batchItemFailures``, an entry without a non-empty
    string ``itemIdentifier`` or with an id not in the batch = the whole batch fails.
    A response that is valid JSON but not an object (e.g. ``"ok"``) carries no
    ``batchItemFailures`` and counts as success, as LocalStack does (UNVERIFIED in AWS).
    """
    ids = tuple(message_ids)
    if function_error is not None:
        return _failure(ids, f"function error ({function_error}): the whole batch is retried (SQS-41)")
    if not report_batch_item_failures:
        return _success(ids)
    if response_payload is None or not response_payload.strip():
        return _success(ids)
    try:
        response = json.loads(response_payload)
    except ValueError:
        return _failure(ids, "invalid JSON response with ReportBatchItemFailures: the whole batch is retried (SQS-47)")
    if not isinstance(response, dict):
        return _success(ids)
    failures = response.get("batchItemFailures")
    if failures is None:
        return _success(ids)
    if not isinstance(failures, list):
        return _failure(ids, "batchItemFailures is not a list: the whole batch is retried (SQS-47)")
    if not failures:
        return _success(ids)
    known = set(ids)
    failed: set[str] = set()
    for position, entry in enumerate(failures):
        identifier = entry.get("itemIdentifier") if isinstance(entry, dict) else None
        if not isinstance(identifier, str) or identifier == "":
            return _failure(
                ids,
                f"batchItemFailures[{position}] has no valid itemIdentifier: the whole batch is retried (SQS-47)",
            )
        if identifier not in known:
            return _failure(
                ids,
                f"batchItemFailures[{position}].itemIdentifier {identifier!r} is not a message of this batch: "
                "the whole batch is retried (SQS-47)",
            )
        failed.add(identifier)
    return BatchOutcome(
        OutcomeKind.PARTIAL,
        tuple(i for i in ids if i not in failed),
        tuple(i for i in ids if i in failed),
    )


def fifo_retry_set(
    messages_in_order: Sequence[ReceivedMessage] | Sequence[str], failed_ids: Iterable[str]
) -> tuple[str, ...]:
    """Failed ids plus every later message of the same group (SQS-50), in batch order.

    What AWS does: Lambda deletes every message not listed in ``batchItemFailures``,
    FIFO included; AWS tells FIFO functions to stop at the first failure and report it
    and every later message, because only then is group order preserved. This runtime
    applies that rule for the function: a group never advances past a failure. A handler
    that reports only the failed message therefore sees the later messages of that group
    again (allowed by at-least-once delivery, SQS-25), never out of order.
    Plain ids (no groups) are treated as one group.
    """
    failed = set(failed_ids)
    failed_groups: set[str | None] = set()
    retry = []
    for item in messages_in_order:
        if isinstance(item, ReceivedMessage):
            message_id, group = item.message_id, item.message_group_id
        else:
            message_id, group = item, None
        if message_id in failed or group in failed_groups:
            failed_groups.add(group)
            retry.append(message_id)
    return tuple(retry)


# --------------------------------------------------------------------------------------
# Mapping validation (SQS-1..SQS-17)
# --------------------------------------------------------------------------------------


def effective_visibility_timeout(window: int, function_timeout: int, queue_visibility_timeout: int) -> int:
    """SQS-11: with a batching window that does not fit, Lambda holds messages longer.

    If ``window + function_timeout`` exceeds the queue's visibility timeout, in-flight
    messages stay invisible for ``window + function_timeout + 30`` seconds instead.
    """
    if window > 0 and window + function_timeout > queue_visibility_timeout:
        return window + function_timeout + EFFECTIVE_VISIBILITY_MARGIN_SECONDS
    return queue_visibility_timeout


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" else None


@dataclass(frozen=True)
class Problem:
    """One configuration finding: ``severity`` is "error" (AWS rejects it) or "warning" (advice)."""

    severity: str
    rule: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.field}: {self.message} ({self.rule})"


def validate_mapping(
    batch_size: int,
    window: int,
    fifo: bool,
    maximum_concurrency: int | None,
    function_timeout: int,
    queue_visibility_timeout: int,
    *,
    max_receive_count: int | None = None,
    reserved_concurrency: int | None = None,
    filter_count: int = 0,
    function_response_types: Sequence[str] = (),
    queue_arn: str | None = None,
    function_arn: str | None = None,
) -> list[Problem]:
    """Check an SQS mapping as deployed against AWS's rules; errors first, then warnings.

    ``max_receive_count`` is the source queue's redrive ``maxReceiveCount`` (None: no DLQ);
    ``reserved_concurrency`` the function's reserved concurrency (None: unreserved).
    The ARNs, when given, are checked for the same-Region rule (SQS-12).
    """
    problems: list[Problem] = []

    def error(rule: str, field_name: str, message: str) -> None:
        problems.append(Problem("error", rule, field_name, message))

    def warning(rule: str, field_name: str, message: str) -> None:
        problems.append(Problem("warning", rule, field_name, message))

    batch_limit = 10 if fifo else 10_000
    if not 1 <= batch_size <= batch_limit:
        kind = "FIFO" if fifo else "standard"
        error("SQS-1", "batch_size", f"must be 1-{batch_limit} for {kind} queues (got {batch_size})")
    if not 0 <= window <= 300:
        error("SQS-2", "maximum_batching_window_in_seconds", f"must be 0-300 seconds (got {window})")
    if batch_size > 10 and window < 1:
        error("SQS-3", "maximum_batching_window_in_seconds", BATCH_WINDOW_MESSAGE)
    if fifo and window > 0:
        error("SQS-4", "maximum_batching_window_in_seconds", f"must be 0 for FIFO queues (got {window})")
    if maximum_concurrency is not None and not 2 <= maximum_concurrency <= 1000:
        error("SQS-6", "scaling_config.maximum_concurrency", f"must be 2-1000 (got {maximum_concurrency})")
    if function_timeout > queue_visibility_timeout:
        error(
            "SQS-9",
            "queue visibility_timeout_seconds",
            f"Invalid request provided: Queue visibility timeout: {queue_visibility_timeout} seconds is less than "
            f"Function timeout: {function_timeout} seconds",
        )
    if max_receive_count is not None and not 1 <= max_receive_count <= 1000:
        error("SQS-16", "redrive_policy.maxReceiveCount", f"must be 1-1000 (got {max_receive_count})")
    if filter_count > 10:
        error("SQS-8", "filter_criteria", f"at most 10 filters even with a quota increase (got {filter_count})")
    for response_type in function_response_types:
        if response_type != REPORT_BATCH_ITEM_FAILURES:
            error(
                "SQS-5",
                "function_response_types",
                f"may only contain {REPORT_BATCH_ITEM_FAILURES} (got {response_type!r})",
            )
    queue_region = _region_of(queue_arn) if queue_arn else None
    function_region = _region_of(function_arn) if function_arn else None
    if queue_region and function_region and queue_region != function_region:
        error(
            "SQS-12",
            "event_source_arn",
            f"the queue is in {queue_region} but the function in {function_region}; they must share a Region",
        )

    recommended = 6 * function_timeout + window
    if queue_visibility_timeout < recommended:
        warning(
            "SQS-10",
            "queue visibility_timeout_seconds",
            f"should be at least 6 x function timeout + batching window = {recommended} s "
            f"(got {queue_visibility_timeout} s), or retries of slow batches overlap",
        )
    if max_receive_count is None:
        warning("SQS-16", "redrive_policy", "the source queue has no DLQ: failing messages retry until retention ends")
    elif max_receive_count < 5:
        warning(
            "SQS-16",
            "redrive_policy.maxReceiveCount",
            f"should be at least 5 (got {max_receive_count}): throttled receives also count toward it",
        )
    if reserved_concurrency is not None and 0 < reserved_concurrency < 5:
        warning("SQS-17", "reserved_concurrent_executions", f"should be at least 5 (got {reserved_concurrency})")
    if reserved_concurrency == 0:
        warning("SQS-17", "reserved_concurrent_executions", "is 0: every batch is throttled")
    both_limits = maximum_concurrency is not None and reserved_concurrency is not None
    if both_limits and maximum_concurrency > reserved_concurrency:
        warning(
            "SQS-17",
            "scaling_config.maximum_concurrency",
            f"({maximum_concurrency}) exceeds the function's reserved concurrency ({reserved_concurrency}): "
            "the mapping will be throttled",
        )
    if 5 < filter_count <= 10:
        warning("SQS-8", "filter_criteria", f"{filter_count} filters exceed the default quota of 5 per mapping")
    return problems

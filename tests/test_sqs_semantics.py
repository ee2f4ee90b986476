"""SQS event source mapping rules (aws-semantics.md §1), one test per rule id."""

from __future__ import annotations

import json

import pytest

from lambda_processor.errors import LambdaProcessorError
from lambda_processor.sqs_semantics import (
    BATCH_WINDOW_MESSAGE,
    SYNC_PAYLOAD_LIMIT_BYTES,
    BatchWindow,
    FifoGroupGate,
    FilterCriteriaError,
    FilterSet,
    OutcomeKind,
    ReceivedMessage,
    build_sqs_record,
    decide_batch_outcome,
    effective_visibility_timeout,
    fifo_retry_set,
    filter_messages,
    lint_sqs_filter_pattern,
    payload_size,
    should_invoke,
    take_within_payload_limit,
    validate_mapping,
)

QUEUE_ARN = "arn:aws:sqs:us-east-2:123456789012:my-queue"


def message(message_id: str = "m1", body: str = "Test message.", group: str | None = None, **extra) -> ReceivedMessage:
    attributes = {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1545082649183",
        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
        "ApproximateFirstReceiveTimestamp": "1545082649185",
    }
    if group is not None:
        attributes.update(SequenceNumber="1", MessageGroupId=group, MessageDeduplicationId=message_id)
    return ReceivedMessage(
        message_id=message_id,
        receipt_handle=f"rh-{message_id}",
        body=body,
        md5_of_body="e4e68fb7bd0e697a0ae8f1bb342846b3",
        attributes=attributes,
        **extra,
    )


# -- record shape ------------------------------------------------------------------------


def test_sqs_60_record_has_exactly_the_aws_keys():
    record = build_sqs_record(message(), QUEUE_ARN, "us-east-2")
    assert set(record) == {
        "messageId", "receiptHandle", "body", "attributes", "messageAttributes",
        "md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion",
    }
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == QUEUE_ARN
    assert record["awsRegion"] == "us-east-2"
    assert record["body"] == "Test message."
    assert record["md5OfMessageAttributes"] is None  # SQS-62: null when there are none


def test_sqs_60_json_body_is_passed_as_the_original_string():
    body = '{"order": 1}'
    assert build_sqs_record(message(body=body), QUEUE_ARN, "us-east-2")["body"] == body


def test_sqs_61_attributes_are_strings_and_fifo_adds_group_fields():
    record = build_sqs_record(message(group="g1"), QUEUE_ARN + ".fifo", "us-east-2")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["MessageGroupId"] == "g1"
    assert {"SequenceNumber", "MessageDeduplicationId"} <= set(record["attributes"])
    assert all(isinstance(v, str) for v in record["attributes"].values())


def test_sqs_62_message_attributes_are_lower_camel_with_base64_binary():
    msg = message(
        message_attributes={
            "Author": {"DataType": "String", "StringValue": "John Grisham"},
            "Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            "Count": {"DataType": "Number", "StringValue": "3"},
        },
        md5_of_message_attributes="abc",
    )
    record = build_sqs_record(msg, QUEUE_ARN, "us-east-2")
    assert record["messageAttributes"]["Author"] == {
        "stringValue": "John Grisham", "stringListValues": [], "binaryListValues": [], "dataType": "String",
    }
    assert record["messageAttributes"]["Blob"] == {
        "binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary",
    }
    assert record["messageAttributes"]["Count"]["stringValue"] == "3"
    assert record["md5OfMessageAttributes"] == "abc"


def test_received_message_is_hashable_by_its_receive():
    assert len({message("m1"), message("m1"), message("m2")}) == 2


# -- filtering ---------------------------------------------------------------------------


def test_flt_1_filters_are_ored_and_no_filters_keep_everything():
    filters = FilterSet.from_patterns(['{"body": {"kind": ["a"]}}', '{"body": {"kind": ["b"]}}'])
    msgs = [message("1", '{"kind": "a"}'), message("2", '{"kind": "b"}'), message("3", '{"kind": "c"}')]
    kept, dropped = filter_messages(filters, msgs)
    assert [m.message_id for m in kept] == ["1", "2"]
    assert [m.message_id for m in dropped] == ["3"]
    assert filter_messages(FilterSet.from_patterns([]), msgs) == (msgs, [])


@pytest.mark.parametrize(
    ("body", "pattern", "kept"),
    [
        ("plain", '{"body": ["plain"]}', True),  # plain string body, plain pattern: filter on it
        ("other", '{"body": ["plain"]}', False),
        ("plain", '{"body": {"k": [{"exists": false}]}}', False),  # plain body, object pattern: drop
        ('{"k": "v"}', '{"body": ["{\\"k\\": \\"v\\"}"]}', False),  # JSON body, plain pattern: drop
        ('{"k": "v"}', '{"body": {"k": ["v"]}}', True),  # JSON body, object pattern: parsed JSON
        ('{"k": "w"}', '{"body": {"k": ["v"]}}', False),
        ("plain", '{"attributes": {"ApproximateReceiveCount": ["1"]}}', True),  # no body key: metadata only
        ('{"k": 1}', '{"attributes": {"ApproximateReceiveCount": ["1"]}}', True),
    ],
)
def test_flt_5_body_format_table(body, pattern, kept):
    assert FilterSet.from_patterns([pattern]).keeps(message(body=body)) is kept


def test_flt_6_invalid_patterns_raise_aws_text():
    for pattern in (None, "simple string", '{"eventSource": "aws:sqs"}', '{"eventSource": []}'):
        with pytest.raises(FilterCriteriaError) as caught:
            FilterSet.from_patterns([pattern])
        assert caught.value.message == "Invalid filter pattern definition."
        assert isinstance(caught.value, LambdaProcessorError)
        assert "filter_criteria.filter[0].pattern" in str(caught.value)


def test_flt_8_aws_validated_sqs_examples():
    def keeps(pattern: str, body: dict) -> bool:
        return FilterSet.from_patterns([pattern]).keeps(message(body=json.dumps(body)))

    assert keeps('{"body": {"my-key": ["my-value"]}}', {"my-key": "my-value"})
    assert keeps('{"body": {"testItem": ["test24", "test45"]}}', {"testItem": "test45"})
    assert not keeps('{"body": {"a": ["1"], "b": ["2"]}}', {"a": "1"})
    assert keeps('{"body": {"k": [{"exists": true}]}}', {"k": None})
    assert keeps('{"body": {"v": [{"numeric": [">=", 100, "<", 200]}]}}', {"v": 100})
    assert not keeps('{"body": {"v": [{"numeric": [">=", 100, "<", 200]}]}}', {"v": 200})
    assert keeps('{"body": {"id": [{"prefix": "ord-"}]}}', {"id": "ord-1"})


def test_flt_9_source_metadata_cannot_be_filtered_on():
    filters = FilterSet.from_patterns(['{"eventSource": ["aws:sqs"]}'])
    assert not filters.keeps(message())
    assert any("FLT-9" in w for w in lint_sqs_filter_pattern('{"eventSource": ["aws:sqs"]}'))


def test_flt_4_and_pat_31_lint_warns_on_metadata_keys_and_undocumented_operators():
    assert lint_sqs_filter_pattern('{"body": {"k": ["v"]}}') == []
    warnings = lint_sqs_filter_pattern('{"messageAttributes": {"a": {"stringValue": [{"wildcard": "x*"}]}}}')
    assert any("FLT-4" in w for w in warnings)
    assert any("wildcard" in w and "PAT-31" in w for w in warnings)
    assert any("SQS-60" in w for w in lint_sqs_filter_pattern('{"Body": {"k": ["v"]}}'))
    assert any("$or" in w for w in lint_sqs_filter_pattern('{"$or": [{"body": ["a"]}, {"body": ["b"]}]}'))


# -- batch assembly ----------------------------------------------------------------------


def test_sqs_22_batch_is_sent_when_full_window_elapsed_or_6mb():
    assert not should_invoke(100.0, 100.0, 10, 5, 0, 0)  # nothing gathered
    assert should_invoke(100.0, 100.0, 10, 5, 10, 100)  # full
    assert should_invoke(100.0, 100.0, 10, 5, 3, SYNC_PAYLOAD_LIMIT_BYTES)  # 6 MB
    assert not should_invoke(104.9, 100.0, 10, 5, 3, 100)
    assert should_invoke(105.0, 100.0, 10, 5, 3, 100)  # window elapsed
    assert should_invoke(100.0, 100.0, 10, 0, 1, 100)  # window 0: as soon as possible
    window = BatchWindow(batch_size=100, window_seconds=20)
    assert window.deadline(10.0) == 30.0
    assert not window.due(29.0, 10.0, 5, 10)
    assert window.due(30.0, 10.0, 5, 10)


def test_sqs_23_metadata_counts_toward_the_payload_limit():
    records = [build_sqs_record(message(str(i), "x" * 1000), QUEUE_ARN, "us-east-2") for i in range(10)]
    full = payload_size(records)
    assert full > 10 * 1000  # bodies plus metadata
    assert full == len(json.dumps({"Records": records}).encode())
    one = payload_size(records[:1])
    assert take_within_payload_limit(records, limit=full) == 10
    assert take_within_payload_limit(records, limit=one * 3) == 3
    assert take_within_payload_limit(records[:1], limit=10) == 1


def test_sqs_26_fifo_gate_never_admits_a_group_with_a_message_in_flight():
    gate = FifoGroupGate()
    first = [message("a1", group="A"), message("a2", group="A"), message("b1", group="B")]
    assert [m.message_id for m in gate.admit(first)] == ["a1", "a2", "b1"]
    assert gate.in_flight_groups == {"A", "B"}
    # A second poll slot must not get more of A or B while they are in flight.
    later = [message("a3", group="A"), message("c1", group="C")]
    assert [m.message_id for m in gate.admit(later)] == ["c1"]
    gate.complete(first)
    assert [m.message_id for m in gate.admit([message("a3", group="A")])] == ["a3"]


def test_sqs_26_fifo_gate_holds_a_failed_group_until_its_retry():
    gate = FifoGroupGate()
    batch = [message("a1", group="A"), message("a2", group="A")]
    gate.admit(batch)
    gate.complete(batch, retry_ids=fifo_retry_set(batch, {"a1"}))
    assert gate.blocked_groups == {"A"}
    assert gate.admit([message("a3", group="A")]) == []  # must not overtake a1
    assert [m.message_id for m in gate.admit([message("a1", group="A"), message("a2", group="A")])] == ["a1", "a2"]
    assert gate.blocked_groups == frozenset()


def test_sqs_26_fifo_gate_releases_a_group_whose_failed_message_went_to_the_dlq():
    gate = FifoGroupGate()
    batch = [message("a1", group="A")]
    gate.admit(batch)
    gate.complete(batch, retry_ids=["a1"])
    assert gate.admit([message("a2", group="A")]) == []
    gate.forget(["a1"])
    assert [m.message_id for m in gate.admit([message("a2", group="A")])] == ["a2"]


# -- batch outcome -----------------------------------------------------------------------

IDS = ("m1", "m2", "m3")


def outcome(payload, *, report=True, error=None):
    raw = payload if payload is None or isinstance(payload, bytes) else json.dumps(payload).encode()
    return decide_batch_outcome(IDS, function_error=error, response_payload=raw, report_batch_item_failures=report)


def test_sqs_40_normal_return_deletes_the_whole_batch():
    result = outcome(None, report=False)
    assert result.kind is OutcomeKind.SUCCESS
    assert result.delete == IDS and result.retry == ()


def test_sqs_41_function_error_deletes_nothing():
    result = outcome(None, report=False, error="Unhandled")
    assert result.kind is OutcomeKind.FAILED
    assert result.delete == () and result.retry == IDS
    assert "SQS-41" in result.error


def test_sqs_44_partial_response_ignored_without_report_batch_item_failures():
    result = outcome({"batchItemFailures": [{"itemIdentifier": "m2"}]}, report=False)
    assert result.kind is OutcomeKind.SUCCESS and result.delete == IDS


def test_sqs_45_only_listed_messages_are_retried():
    result = outcome({"batchItemFailures": [{"itemIdentifier": "m3"}, {"itemIdentifier": "m1"}]})
    assert result.kind is OutcomeKind.PARTIAL
    assert result.delete == ("m2",)
    assert result.retry == ("m1", "m3")
    assert result.error is None


@pytest.mark.parametrize(
    "payload",
    [None, b"null", {}, {"batchItemFailures": []}, {"batchItemFailures": None}],
    ids=["no-payload", "null", "empty-object", "empty-list", "null-list"],
)
def test_sqs_46_empty_or_null_responses_are_complete_success(payload):
    result = outcome(payload)
    assert result.kind is OutcomeKind.SUCCESS
    assert result.delete == IDS and result.retry == ()


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"foo": "notvalid"}]},
        {"batchItemFailures": [{"itemIdentifier": 1}]},
        {"batchItemFailures": ["m1"]},
        {"batchItemFailures": "m1"},
    ],
    ids=["invalid-json", "empty-id", "null-id", "wrong-key", "number-id", "bare-string-entry", "not-a-list"],
)
def test_sqs_47_malformed_responses_fail_the_whole_batch(payload):
    result = outcome(payload)
    assert result.kind is OutcomeKind.FAILED
    assert result.delete == () and result.retry == IDS
    assert "SQS-47" in result.error


def test_sqs_47_unknown_item_identifier_fails_whole_batch():
    result = outcome({"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "not-in-batch"}]})
    assert result.kind is OutcomeKind.FAILED
    assert result.retry == IDS
    assert "not-in-batch" in result.error


def test_sqs_48_exception_fails_whole_batch_even_with_report_batch_item_failures():
    result = outcome({"batchItemFailures": []}, error="Unhandled")
    assert result.kind is OutcomeKind.FAILED and result.retry == IDS


def test_sqs_50_fifo_retry_keeps_everything_after_the_first_failure_in_its_group():
    batch = [message("a1", group="A"), message("b1", group="B"), message("a2", group="A"), message("b2", group="B")]
    assert fifo_retry_set(batch, {"a1"}) == ("a1", "a2")
    assert fifo_retry_set(batch, {"b1", "a2"}) == ("b1", "a2", "b2")
    assert fifo_retry_set(batch, set()) == ()
    assert fifo_retry_set(["x", "y", "z"], {"y"}) == ("y", "z")


# -- mapping validation ------------------------------------------------------------------


def rules(problems, severity):
    return {p.rule for p in problems if p.severity == severity}


GOOD = dict(batch_size=10, window=0, fifo=False, maximum_concurrency=None, function_timeout=30,
            queue_visibility_timeout=180, max_receive_count=5)


def test_valid_mapping_has_no_problems():
    assert validate_mapping(**GOOD) == []


def test_sqs_1_batch_size_limits_depend_on_queue_type():
    assert "SQS-1" in rules(validate_mapping(**{**GOOD, "batch_size": 0}), "error")
    assert "SQS-1" in rules(validate_mapping(**{**GOOD, "batch_size": 10_001, "window": 1}), "error")
    assert "SQS-1" not in rules(validate_mapping(**{**GOOD, "batch_size": 10_000, "window": 1}), "error")
    problems = validate_mapping(**{**GOOD, "batch_size": 20, "fifo": True})
    assert any(p.rule == "SQS-1" and "1-10 for FIFO queues (got 20)" in p.message for p in problems)


def test_sqs_2_window_range():
    assert "SQS-2" in rules(validate_mapping(**{**GOOD, "window": 301}), "error")


def test_sqs_3_batch_over_10_requires_a_window_with_aws_text():
    problems = validate_mapping(**{**GOOD, "batch_size": 11, "window": 0})
    assert [p.message for p in problems if p.rule == "SQS-3"] == [BATCH_WINDOW_MESSAGE]
    assert "SQS-3" not in rules(validate_mapping(**{**GOOD, "batch_size": 11, "window": 1}), "error")


def test_sqs_4_no_window_on_fifo():
    assert "SQS-4" in rules(validate_mapping(**{**GOOD, "fifo": True, "window": 5}), "error")


def test_sqs_6_maximum_concurrency_range():
    assert "SQS-6" in rules(validate_mapping(**{**GOOD, "maximum_concurrency": 1}), "error")
    assert "SQS-6" in rules(validate_mapping(**{**GOOD, "maximum_concurrency": 1001}), "error")
    assert validate_mapping(**{**GOOD, "maximum_concurrency": 2}) == []


def test_sqs_9_function_timeout_above_visibility_timeout_is_an_error():
    problems = validate_mapping(**{**GOOD, "function_timeout": 300, "queue_visibility_timeout": 30})
    messages = [p.message for p in problems if p.rule == "SQS-9"]
    assert messages == [
        "Invalid request provided: Queue visibility timeout: 30 seconds is less than Function timeout: 300 seconds"
    ]


def test_sqs_10_visibility_below_six_times_timeout_is_a_warning():
    problems = validate_mapping(**{**GOOD, "queue_visibility_timeout": 100})
    assert rules(problems, "warning") == {"SQS-10"} and rules(problems, "error") == set()
    with_window = validate_mapping(**{**GOOD, "batch_size": 20, "window": 30, "queue_visibility_timeout": 200})
    assert any(p.rule == "SQS-10" and "210" in p.message for p in with_window)


def test_sqs_16_redrive_advice():
    assert "SQS-16" in rules(validate_mapping(**{**GOOD, "max_receive_count": None}), "warning")
    assert "SQS-16" in rules(validate_mapping(**{**GOOD, "max_receive_count": 2}), "warning")
    assert "SQS-16" in rules(validate_mapping(**{**GOOD, "max_receive_count": 0}), "error")


def test_sqs_17_reserved_concurrency_advice():
    assert "SQS-17" in rules(validate_mapping(**GOOD, reserved_concurrency=2), "warning")
    problems = validate_mapping(**{**GOOD, "maximum_concurrency": 10}, reserved_concurrency=5)
    assert any(p.rule == "SQS-17" and "exceeds" in p.message for p in problems)
    assert validate_mapping(**GOOD, reserved_concurrency=5) == []


def test_sqs_8_filter_quota():
    assert "SQS-8" in rules(validate_mapping(**GOOD, filter_count=6), "warning")
    assert "SQS-8" in rules(validate_mapping(**GOOD, filter_count=11), "error")


def test_problem_text_names_field_and_rule():
    (problem,) = validate_mapping(**{**GOOD, "maximum_concurrency": 1})
    assert str(problem) == "error: scaling_config.maximum_concurrency: must be 2-1000 (got 1) (SQS-6)"


def test_sqs_5_function_response_types_only_report_batch_item_failures():
    assert validate_mapping(**GOOD, function_response_types=["ReportBatchItemFailures"]) == []
    problems = validate_mapping(**GOOD, function_response_types=["ReportItemFailures"])
    assert rules(problems, "error") == {"SQS-5"}


def test_sqs_11_effective_visibility_timeout_grows_when_window_and_timeout_do_not_fit():
    assert effective_visibility_timeout(window=0, function_timeout=30, queue_visibility_timeout=20) == 20
    assert effective_visibility_timeout(window=10, function_timeout=30, queue_visibility_timeout=60) == 60
    assert effective_visibility_timeout(window=40, function_timeout=30, queue_visibility_timeout=60) == 100


def test_sqs_12_queue_and_function_must_share_a_region():
    same = validate_mapping(
        **GOOD,
        queue_arn="arn:aws:sqs:us-east-1:111111111111:q",
        function_arn="arn:aws:lambda:us-east-1:222222222222:function:f",
    )
    assert same == []  # different accounts are fine
    other = validate_mapping(
        **GOOD,
        queue_arn="arn:aws:sqs:eu-west-1:111111111111:q",
        function_arn="arn:aws:lambda:us-east-1:111111111111:function:f",
    )
    assert rules(other, "error") == {"SQS-12"}

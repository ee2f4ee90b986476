"""SQS behaviours the runtime relies on, asserted identically for moto's queue and the store.

Each test runs twice (``sqs`` is parametrized "moto" / "store"). Rule ids refer to
``aws-semantics.md`` §1; the rest are SQS API behaviours the data plane and the examples use.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from conftest import SqsHarness

# ----------------------------------------------------------------------------- receive and visibility


def test_receive_returns_body_id_md5_and_system_attributes(sqs: SqsHarness) -> None:
    url = sqs.create_queue("basic")
    sent = sqs.send(url, "hello")
    [message] = sqs.receive(url)
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "hello"
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    attributes = message["Attributes"]
    assert attributes["ApproximateReceiveCount"] == "1"
    assert attributes["SentTimestamp"].isdigit()
    assert attributes["ApproximateFirstReceiveTimestamp"].isdigit()
    assert int(attributes["ApproximateFirstReceiveTimestamp"]) >= int(attributes["SentTimestamp"])
    assert attributes["SenderId"]


def test_receive_returns_at_most_max_number_of_messages(sqs: SqsHarness) -> None:
    url = sqs.create_queue("batches")
    for index in range(15):
        sqs.send(url, f"m{index}")
    first = sqs.bodies(url, 10)
    second = sqs.bodies(url, 10)
    assert len(first) == 10
    assert len(second) == 5
    assert sorted(first + second) == sorted(f"m{index}" for index in range(15))
    assert sqs.bodies(url, 10) == []


def test_sqs_21_in_flight_message_is_not_delivered_again_before_visibility_timeout(sqs: SqsHarness) -> None:
    url = sqs.create_queue("inflight", VisibilityTimeout=30)
    sqs.send(url, "once")
    assert sqs.bodies(url) == ["once"]
    sqs.clock.advance(29)
    assert sqs.bodies(url) == []
    assert sqs.counts(url) == {"visible": 0, "not_visible": 1, "delayed": 0}


def test_sqs_41_visibility_expiry_redelivers_with_receive_count_incremented(sqs: SqsHarness) -> None:
    url = sqs.create_queue("redeliver", VisibilityTimeout=30)
    sqs.send(url, "retry-me")
    [first] = sqs.receive(url)
    sqs.clock.advance(31)
    assert sqs.counts(url) == {"visible": 1, "not_visible": 0, "delayed": 0}
    [second] = sqs.receive(url)
    assert second["MessageId"] == first["MessageId"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert (
        second["Attributes"]["ApproximateFirstReceiveTimestamp"]
        == first["Attributes"]["ApproximateFirstReceiveTimestamp"]
    )
    assert second["ReceiptHandle"] != first["ReceiptHandle"]


def test_sqs_40_deleted_message_is_not_redelivered(sqs: SqsHarness) -> None:
    url = sqs.create_queue("deleted", VisibilityTimeout=30)
    sqs.send(url, "done")
    [message] = sqs.receive(url)
    sqs.delete(url, message["ReceiptHandle"])
    sqs.clock.advance(31)
    assert sqs.bodies(url) == []
    assert sqs.counts(url) == {"visible": 0, "not_visible": 0, "delayed": 0}


def test_receive_visibility_timeout_parameter_overrides_the_queue_default(sqs: SqsHarness) -> None:
    url = sqs.create_queue("override-vt", VisibilityTimeout=300)
    sqs.send(url, "short")
    assert sqs.bodies(url, VisibilityTimeout=5) == ["short"]
    sqs.clock.advance(6)
    assert sqs.bodies(url) == ["short"]


def test_change_visibility_zero_makes_the_message_visible_again(sqs: SqsHarness) -> None:
    url = sqs.create_queue("vt-zero", VisibilityTimeout=300)
    sqs.send(url, "again")
    [message] = sqs.receive(url)
    sqs.client.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    [again] = sqs.receive(url)
    assert again["MessageId"] == message["MessageId"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_change_visibility_extends_the_time_in_flight(sqs: SqsHarness) -> None:
    url = sqs.create_queue("vt-extend", VisibilityTimeout=30)
    sqs.send(url, "slow")
    [message] = sqs.receive(url)
    sqs.client.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=120)
    sqs.clock.advance(31)
    assert sqs.bodies(url) == []
    sqs.clock.advance(90)
    assert sqs.bodies(url) == ["slow"]


def test_change_visibility_with_an_unknown_receipt_handle_fails(sqs: SqsHarness) -> None:
    url = sqs.create_queue("vt-invalid")
    with pytest.raises(ClientError) as error:
        sqs.client.change_message_visibility(QueueUrl=url, ReceiptHandle="not-a-handle", VisibilityTimeout=10)
    assert error.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"


def test_zero_visibility_timeout_on_receive_leaves_the_message_visible(sqs: SqsHarness) -> None:
    url = sqs.create_queue("receive-vt-zero", VisibilityTimeout=30)
    sqs.send(url, "peek")
    assert sqs.bodies(url, VisibilityTimeout=0) == ["peek"]
    [again] = sqs.receive(url)
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


# ----------------------------------------------------------------------------- receipt handles and delete


def test_receipt_handle_of_a_previous_receive_is_replaced_after_redelivery(sqs: SqsHarness) -> None:
    url = sqs.create_queue("stale-handle", VisibilityTimeout=30)
    sqs.send(url, "m")
    [first] = sqs.receive(url)
    sqs.clock.advance(31)
    [second] = sqs.receive(url)
    assert first["ReceiptHandle"] != second["ReceiptHandle"]
    sqs.delete(url, second["ReceiptHandle"])
    # The message is gone; SQS answers a delete with an older handle as done.
    sqs.delete(url, first["ReceiptHandle"])
    sqs.clock.advance(31)
    assert sqs.bodies(url) == []


def test_deleting_an_already_deleted_message_succeeds(sqs: SqsHarness) -> None:
    url = sqs.create_queue("delete-twice")
    sqs.send(url, "m")
    [message] = sqs.receive(url)
    sqs.delete(url, message["ReceiptHandle"])
    sqs.delete(url, message["ReceiptHandle"])
    assert sqs.counts(url) == {"visible": 0, "not_visible": 0, "delayed": 0}


def test_delete_with_an_invalid_receipt_handle_fails(sqs: SqsHarness) -> None:
    url = sqs.create_queue("delete-invalid")
    sqs.send(url, "m")
    with pytest.raises(ClientError) as error:
        sqs.delete(url, "made-up-handle")
    assert error.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"


# ----------------------------------------------------------------------------- batch APIs


def test_send_message_batch_reports_one_result_per_entry(sqs: SqsHarness) -> None:
    url = sqs.create_queue("send-batch")
    response = sqs.client.send_message_batch(
        QueueUrl=url, Entries=[{"Id": f"e{index}", "MessageBody": f"b{index}"} for index in range(3)]
    )
    assert sorted(entry["Id"] for entry in response["Successful"]) == ["e0", "e1", "e2"]
    assert len({entry["MessageId"] for entry in response["Successful"]}) == 3
    assert response.get("Failed", []) == []
    assert sorted(sqs.bodies(url)) == ["b0", "b1", "b2"]


def test_send_message_batch_with_repeated_entry_ids_fails_as_a_whole(sqs: SqsHarness) -> None:
    url = sqs.create_queue("send-batch-dup")
    with pytest.raises(ClientError) as error:
        sqs.client.send_message_batch(
            QueueUrl=url, Entries=[{"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}]
        )
    assert "BatchEntryIdsNotDistinct" in error.value.response["Error"]["Code"]
    assert sqs.counts(url)["visible"] == 0


def test_delete_message_batch_reports_an_invalid_handle_per_entry(sqs: SqsHarness) -> None:
    url = sqs.create_queue("delete-batch")
    sqs.send(url, "keep-going")
    [message] = sqs.receive(url)
    response = sqs.client.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": "good", "ReceiptHandle": message["ReceiptHandle"]}, {"Id": "bad", "ReceiptHandle": "nope"}],
    )
    assert [entry["Id"] for entry in response["Successful"]] == ["good"]
    [failed] = response["Failed"]
    assert failed["Id"] == "bad"
    assert failed["Code"] == "ReceiptHandleIsInvalid"
    assert failed["SenderFault"] is True
    assert sqs.counts(url) == {"visible": 0, "not_visible": 0, "delayed": 0}


def test_change_message_visibility_batch_reports_an_invalid_handle_per_entry(sqs: SqsHarness) -> None:
    url = sqs.create_queue("vt-batch", VisibilityTimeout=300)
    sqs.send(url, "m")
    [message] = sqs.receive(url)
    response = sqs.client.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "good", "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "nope", "VisibilityTimeout": 0},
        ],
    )
    assert [entry["Id"] for entry in response["Successful"]] == ["good"]
    assert [(entry["Id"], entry["Code"]) for entry in response["Failed"]] == [("bad", "ReceiptHandleIsInvalid")]
    assert sqs.bodies(url) == ["m"]


# ----------------------------------------------------------------------------- redrive


def test_sqs_51_message_moves_to_the_dlq_when_receives_would_exceed_max_receive_count(sqs: SqsHarness) -> None:
    dlq = sqs.create_queue("orders-dlq")
    policy = json.dumps({"deadLetterTargetArn": sqs.arn(dlq), "maxReceiveCount": 2})
    url = sqs.create_queue("orders", VisibilityTimeout=30, RedrivePolicy=policy)
    sent = sqs.send(url, "poison")
    for attempt in (1, 2):
        [message] = sqs.receive(url)
        assert message["Attributes"]["ApproximateReceiveCount"] == str(attempt)
        sqs.clock.advance(31)
    assert sqs.receive(url) == []
    assert sqs.counts(url) == {"visible": 0, "not_visible": 0, "delayed": 0}
    assert sqs.counts(dlq)["visible"] == 1
    [dead] = sqs.receive(dlq)
    assert dead["MessageId"] == sent["MessageId"]
    assert dead["Body"] == "poison"


def test_sqs_51_redrive_keeps_healthy_messages_in_the_source_queue(sqs: SqsHarness) -> None:
    dlq = sqs.create_queue("mixed-dlq")
    policy = json.dumps({"deadLetterTargetArn": sqs.arn(dlq), "maxReceiveCount": 1})
    url = sqs.create_queue("mixed", VisibilityTimeout=30, RedrivePolicy=policy)
    sqs.send(url, "poison")
    [poison] = sqs.receive(url)
    sqs.send(url, "fresh")
    sqs.clock.advance(31)
    assert sqs.bodies(url) == ["fresh"]
    assert sqs.bodies(dlq) == ["poison"]


# ----------------------------------------------------------------------------- FIFO


def _fifo(sqs: SqsHarness, name: str, **attributes: object) -> str:
    return sqs.create_queue(f"{name}.fifo", FifoQueue="true", **attributes)


def test_sqs_26_fifo_delivers_a_group_in_send_order(sqs: SqsHarness) -> None:
    url = _fifo(sqs, "ordered", ContentBasedDeduplication="true")
    for index in range(5):
        sqs.send(url, f"g{index}", MessageGroupId="g")
    messages = sqs.receive(url, 10)
    assert [message["Body"] for message in messages] == [f"g{index}" for index in range(5)]
    assert all(message["Attributes"]["MessageGroupId"] == "g" for message in messages)


def test_sqs_26_fifo_group_with_messages_in_flight_is_not_served(sqs: SqsHarness) -> None:
    url = _fifo(sqs, "gated", ContentBasedDeduplication="true", VisibilityTimeout=30)
    sqs.send(url, "a1", MessageGroupId="A")
    sqs.send(url, "a2", MessageGroupId="A")
    sqs.send(url, "b1", MessageGroupId="B")
    [a1] = sqs.receive(url, 1)
    assert a1["Body"] == "a1"
    assert sqs.bodies(url, 10) == ["b1"]
    assert sqs.bodies(url, 10) == []
    sqs.delete(url, a1["ReceiptHandle"])
    assert sqs.bodies(url, 10) == ["a2"]


def test_sqs_26_fifo_group_is_redelivered_in_order_after_visibility_expiry(sqs: SqsHarness) -> None:
    url = _fifo(sqs, "retry-order", ContentBasedDeduplication="true", VisibilityTimeout=30)
    sqs.send(url, "first", MessageGroupId="A")
    sqs.send(url, "second", MessageGroupId="A")
    assert sqs.bodies(url, 1) == ["first"]
    sqs.clock.advance(31)
    messages = sqs.receive(url, 10)
    assert [message["Body"] for message in messages] == ["first", "second"]
    assert [message["Attributes"]["ApproximateReceiveCount"] for message in messages] == ["2", "1"]


def test_fifo_groups_interleave_in_send_order(sqs: SqsHarness) -> None:
    url = _fifo(sqs, "interleave", ContentBasedDeduplication="true")
    for body, group in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("c1", "C"), ("b2", "B")]:
        sqs.send(url, body, MessageGroupId=group)
    assert sqs.bodies(url, 10) == ["a1", "b1", "a2", "c1", "b2"]


def test_fifo_message_deduplication_id_drops_a_duplicate_within_five_minutes(sqs: SqsHarness) -> None:
    url = _fifo(sqs, "dedup-id")
    first = sqs.send(url, "original", MessageGroupId="g", MessageDeduplicationId="d-1")
    sqs.clock.advance(200)
    sqs.send(url, "duplicate", MessageGroupId="g", MessageDeduplicationId="d-1")
    sqs.send(url, "other", MessageGroupId="g", MessageDeduplicationId="d-2")
    assert first["SequenceNumber"]
    assert sqs.bodies(url, 10) == ["original", "other"]


def test_fifo_content_based_deduplication_drops_an_identical_body(sqs: SqsHarness) -> None:
    url = _fifo(sqs, "dedup-content", ContentBasedDeduplication="true")
    sqs.send(url, "same", MessageGroupId="g")
    sqs.send(url, "same", MessageGroupId="g")
    sqs.send(url, "different", MessageGroupId="g")
    assert sqs.bodies(url, 10) == ["same", "different"]


def test_fifo_deduplication_window_ends_after_five_minutes(sqs: SqsHarness) -> None:
    url = _fifo(sqs, "dedup-window", ContentBasedDeduplication="true")
    sqs.send(url, "again", MessageGroupId="g")
    sqs.clock.advance(301)
    sqs.send(url, "again", MessageGroupId="g")
    assert sqs.bodies(url, 10) == ["again", "again"]


def test_fifo_redrive_to_a_fifo_dlq(sqs: SqsHarness) -> None:
    dlq = _fifo(sqs, "fifo-dlq", ContentBasedDeduplication="true")
    policy = json.dumps({"deadLetterTargetArn": sqs.arn(dlq), "maxReceiveCount": 1})
    url = _fifo(sqs, "fifo-src", ContentBasedDeduplication="true", VisibilityTimeout=30, RedrivePolicy=policy)
    sqs.send(url, "bad", MessageGroupId="A")
    sqs.send(url, "good", MessageGroupId="A")
    assert sqs.bodies(url, 1) == ["bad"]
    sqs.clock.advance(31)
    assert sqs.bodies(url, 10) == ["good"]
    assert sqs.bodies(dlq, 10) == ["bad"]


# ----------------------------------------------------------------------------- delays


def test_message_delay_seconds_hides_the_message_until_the_delay_ends(sqs: SqsHarness) -> None:
    url = sqs.create_queue("delayed")
    sqs.send(url, "later", DelaySeconds=10)
    assert sqs.counts(url) == {"visible": 0, "not_visible": 0, "delayed": 1}
    assert sqs.bodies(url) == []
    sqs.clock.advance(11)
    assert sqs.counts(url) == {"visible": 1, "not_visible": 0, "delayed": 0}
    assert sqs.bodies(url) == ["later"]


def test_queue_delay_seconds_applies_to_every_message(sqs: SqsHarness) -> None:
    url = sqs.create_queue("queue-delay", DelaySeconds=5)
    sqs.send(url, "a")
    sqs.send(url, "b", DelaySeconds=0)
    assert sqs.bodies(url) == ["b"]
    sqs.clock.advance(6)
    assert sqs.bodies(url) == ["a"]


# ----------------------------------------------------------------------------- long polling


def test_long_poll_returns_as_soon_as_a_message_arrives(sqs: SqsHarness) -> None:
    url = sqs.create_queue("long-poll")
    sender = threading.Timer(0.3, lambda: sqs.send(url, "arrived"))
    started = time.monotonic()
    sender.start()
    try:
        bodies = sqs.bodies(url, WaitTimeSeconds=20)
    finally:
        sender.join()
    assert bodies == ["arrived"]
    # Behaviour, not speed: the call ended because the message came, long before the 20 s wait.
    assert time.monotonic() - started < 15


def test_long_poll_returns_a_message_whose_visibility_timeout_ends_during_the_wait(sqs: SqsHarness) -> None:
    url = sqs.create_queue("long-poll-redelivery", VisibilityTimeout=1)
    sqs.send(url, "m")
    assert sqs.bodies(url) == ["m"]
    [again] = sqs.receive(url, WaitTimeSeconds=10)
    assert again["Body"] == "m"
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_long_poll_on_an_empty_queue_returns_nothing_when_the_wait_ends(sqs: SqsHarness) -> None:
    url = sqs.create_queue("long-poll-empty")
    assert sqs.bodies(url, WaitTimeSeconds=1) == []


# ----------------------------------------------------------------------------- purge, counts, retention


def test_purge_removes_every_message_in_any_state(sqs: SqsHarness) -> None:
    url = sqs.create_queue("purge", VisibilityTimeout=30)
    for body in ("a", "b", "c"):
        sqs.send(url, body)
    sqs.send(url, "late", DelaySeconds=60)
    assert len(sqs.bodies(url, 1)) == 1
    sqs.client.purge_queue(QueueUrl=url)
    assert sqs.counts(url) == {"visible": 0, "not_visible": 0, "delayed": 0}
    sqs.clock.advance(61)
    assert sqs.bodies(url) == []


def test_attribute_counts_follow_each_message_state(sqs: SqsHarness) -> None:
    url = sqs.create_queue("counts", VisibilityTimeout=30)
    for body in ("a", "b", "c"):
        sqs.send(url, body)
    sqs.send(url, "d", DelaySeconds=60)
    assert sqs.counts(url) == {"visible": 3, "not_visible": 0, "delayed": 1}
    received = sqs.receive(url, 2)
    assert sqs.counts(url) == {"visible": 1, "not_visible": 2, "delayed": 1}
    sqs.delete(url, received[0]["ReceiptHandle"])
    assert sqs.counts(url) == {"visible": 1, "not_visible": 1, "delayed": 1}
    sqs.clock.advance(31)
    assert sqs.counts(url) == {"visible": 2, "not_visible": 0, "delayed": 1}
    sqs.clock.advance(30)
    assert sqs.counts(url) == {"visible": 3, "not_visible": 0, "delayed": 0}


def test_message_older_than_the_retention_period_is_not_delivered(sqs: SqsHarness) -> None:
    url = sqs.create_queue("retention", MessageRetentionPeriod=60)
    sqs.send(url, "stale")
    sqs.clock.advance(61)
    assert sqs.bodies(url) == []


# ----------------------------------------------------------------------------- message attributes


def test_message_attributes_round_trip_and_are_filtered_by_name(sqs: SqsHarness) -> None:
    url = sqs.create_queue("attributes", VisibilityTimeout=30)
    attributes = {
        "Author": {"DataType": "String", "StringValue": "John Grisham"},
        "Pages": {"DataType": "Number", "StringValue": "512"},
    }
    sent = sqs.send(url, "book", MessageAttributes=attributes)
    [only_author] = sqs.receive(url, MessageAttributeNames=["Author"])
    assert only_author["MessageAttributes"] == {"Author": attributes["Author"]}
    sqs.clock.advance(31)
    [everything] = sqs.receive(url, MessageAttributeNames=["All"])
    assert everything["MessageAttributes"] == attributes
    assert everything["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_get_queue_attributes_all_reports_configuration_and_counts(sqs: SqsHarness) -> None:
    dlq = _fifo(sqs, "attrs-dlq", ContentBasedDeduplication="true")
    policy = {"deadLetterTargetArn": sqs.arn(dlq), "maxReceiveCount": 3}
    url = _fifo(
        sqs,
        "attrs",
        ContentBasedDeduplication="true",
        VisibilityTimeout=45,
        MessageRetentionPeriod=3600,
        RedrivePolicy=json.dumps(policy),
        KmsMasterKeyId="alias/orders",
    )
    sqs.send(url, "m", MessageGroupId="g")
    attributes = sqs.client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert set(attributes) == {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateNumberOfMessagesNotVisible",
        "CreatedTimestamp",
        "DelaySeconds",
        "LastModifiedTimestamp",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "QueueArn",
        "RedrivePolicy",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "SqsManagedSseEnabled",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoQueue",
        "FifoThroughputLimit",
        "KmsDataKeyReusePeriodSeconds",
        "KmsMasterKeyId",
    }
    assert json.loads(attributes["RedrivePolicy"]) == policy
    expected = {
        "ApproximateNumberOfMessages": "1",
        "ApproximateNumberOfMessagesDelayed": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "VisibilityTimeout": "45",
        "MessageRetentionPeriod": "3600",
        "FifoQueue": "true",
        "ContentBasedDeduplication": "true",
        "KmsMasterKeyId": "alias/orders",
        "SqsManagedSseEnabled": "true",
    }
    assert {key: attributes[key] for key in expected} == expected

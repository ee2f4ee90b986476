"""The SQS store's moto wiring: version pinning, install/uninstall, the in-process fast path,
thread safety, and the SQS behaviours where the store follows AWS rather than moto."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import moto
import pytest
from moto.sqs import models as sqs_models
from moto.sqs.exceptions import ReceiptHandleIsInvalid

from lambda_processor.clock import FakeClock
from lambda_processor.sandbox.moto_adapter import sqs_store
from lambda_processor.sandbox.moto_adapter.sqs_store import (
    SQS_STORE_PATCHED_SIGNATURES,
    IndexedQueue,
    MessageNotInflight,
    SqsStoreCompatibilityError,
    SqsStoreError,
    change_visibility,
    check_moto_compatibility,
    delete_batch,
    find_store_queue,
    install_sqs_store,
    is_sqs_store_installed,
    receive_batch,
    uninstall_sqs_store,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(sqs_models, "unix_time", lambda dt=None: fake.now())
    monkeypatch.setattr(sqs_models, "unix_time_millis", lambda dt=None: fake.now() * 1000.0)
    return fake


@pytest.fixture
def backend(clock: FakeClock) -> Iterator[sqs_models.SQSBackend]:
    install_sqs_store()
    try:
        yield sqs_models.sqs_backends[ACCOUNT][REGION]
    finally:
        uninstall_sqs_store()
        sqs_models.sqs_backends.reset()


def bodies(messages: list[Any]) -> list[str]:
    return [message.body for message in messages]


# ----------------------------------------------------------------------------- version pinning


def test_moto_version_change_under_the_adapter_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto, "__version__", "5.3.0")
    with pytest.raises(SqsStoreCompatibilityError, match=r"moto 5\.3\.0 is installed.*5\.2\.5"):
        check_moto_compatibility()
    with pytest.raises(SqsStoreCompatibilityError):
        install_sqs_store()
    assert not is_sqs_store_installed()


def test_changed_signature_of_a_patched_moto_method_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    def add_message(self: Any, message: Any, priority: int = 0) -> None:
        raise AssertionError("never called")

    monkeypatch.setattr(sqs_models.Queue, "add_message", add_message)
    with pytest.raises(SqsStoreCompatibilityError, match=r"Queue\.add_message"):
        check_moto_compatibility()


def test_pinned_signatures_describe_the_installed_moto() -> None:
    assert moto.__version__ == sqs_store.MOTO_VERSION_PATCHED
    check_moto_compatibility()
    assert "moto.sqs.models.SQSBackend.receive_message" in SQS_STORE_PATCHED_SIGNATURES
    assert all(sqs_store._signature_of(name) == sig for name, sig in SQS_STORE_PATCHED_SIGNATURES.items())


# ----------------------------------------------------------------------------- install / uninstall


def test_install_makes_new_queues_store_queues_and_uninstall_restores_moto(clock: FakeClock) -> None:
    backend = sqs_models.sqs_backends[ACCOUNT][REGION]
    original_receive = sqs_models.SQSBackend.receive_message
    try:
        install_sqs_store()
        install_sqs_store()  # idempotent
        assert isinstance(backend.create_queue("indexed"), IndexedQueue)
        assert sqs_models.SQSBackend.receive_message is not original_receive
        uninstall_sqs_store()
        plain = backend.create_queue("plain")
        assert type(plain) is sqs_models.Queue
        assert sqs_models.SQSBackend.receive_message is original_receive
    finally:
        uninstall_sqs_store()
        sqs_models.sqs_backends.reset()


def test_queues_created_before_install_keep_working_with_moto_code(clock: FakeClock) -> None:
    backend = sqs_models.sqs_backends[ACCOUNT][REGION]
    try:
        backend.create_queue("older")
        install_sqs_store()
        backend.send_message("older", "still served")
        [message] = backend.receive_message("older", 10, 0, 30)
        assert message.body == "still served"
        backend.delete_message("older", message.receipt_handle)
        assert backend.get_queue("older").approximate_number_of_messages == 0
    finally:
        uninstall_sqs_store()
        sqs_models.sqs_backends.reset()


def test_store_queue_redrives_into_a_dlq_created_before_install(clock: FakeClock) -> None:
    backend = sqs_models.sqs_backends[ACCOUNT][REGION]
    try:
        dlq = backend.create_queue("plain-dlq")
        install_sqs_store()
        policy = json.dumps({"deadLetterTargetArn": dlq.queue_arn, "maxReceiveCount": 1})
        source = backend.create_queue("store-src", VisibilityTimeout="30", RedrivePolicy=policy)
        backend.send_message("store-src", "poison")
        receive_batch(source, 10)
        clock.advance(31)
        assert receive_batch(source, 10) == []
        assert bodies(backend.receive_message("plain-dlq", 10, 0, 30)) == ["poison"]
    finally:
        uninstall_sqs_store()
        sqs_models.sqs_backends.reset()


def test_moto_views_of_a_store_queue_show_its_messages_by_state(backend: sqs_models.SQSBackend) -> None:
    queue = backend.create_queue("views.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for body, group in [("a1", "A"), ("a2", "A"), ("b1", "B")]:
        backend.send_message("views.fifo", body, group_id=group)
    backend.receive_message("views.fifo", 1, 0, 30)
    assert bodies(queue._messages) == ["a1", "a2", "b1"]
    assert bodies(queue.messages) == ["a2", "b1"]
    assert bodies(list(queue.pending_messages)) == ["a1"]
    assert queue.pending_message_groups == {"A"}
    queue.wait_for_messages(0)  # ready messages exist: returns at once
    with pytest.raises(SqsStoreError):
        queue._messages = [queue.messages[0]]
    queue._messages = []  # moto's own purge_queue does this
    assert (queue.approximate_number_of_messages, queue.approximate_number_of_messages_not_visible) == (0, 0)


# ----------------------------------------------------------------------------- AWS behaviours moto lacks


def test_expired_messages_leave_the_queue_counts(backend: sqs_models.SQSBackend, clock: FakeClock) -> None:
    queue = backend.create_queue("retention", MessageRetentionPeriod="60")
    backend.send_message("retention", "old")
    clock.advance(61)
    backend.send_message("retention", "new")
    assert queue.approximate_number_of_messages == 1
    assert bodies(backend.receive_message("retention", 10, 0, 30)) == ["new"]


def test_sqs_26_fifo_messages_back_from_flight_together_keep_the_group_order(
    backend: sqs_models.SQSBackend, clock: FakeClock
) -> None:
    # moto 5.2.5 serves a2 first here: un-pending a1 leaves a2 pending, so a1's group looks busy.
    backend.create_queue("order.fifo", FifoQueue="true", ContentBasedDeduplication="true", VisibilityTimeout="30")
    for body in ("a1", "a2", "a3"):
        backend.send_message("order.fifo", body, group_id="A")
    assert bodies(backend.receive_message("order.fifo", 2, 0, 30)) == ["a1", "a2"]
    clock.advance(31)
    assert bodies(backend.receive_message("order.fifo", 1, 0, 30)) == ["a1"]


def test_fifo_deduplication_outlives_deletion_of_the_first_message(backend: sqs_models.SQSBackend) -> None:
    backend.create_queue("dedup.fifo", FifoQueue="true")
    backend.send_message("dedup.fifo", "first", group_id="g", deduplication_id="d")
    [message] = backend.receive_message("dedup.fifo", 10, 0, 30)
    backend.delete_message("dedup.fifo", message.receipt_handle)
    backend.send_message("dedup.fifo", "retry", group_id="g", deduplication_id="d")
    assert backend.receive_message("dedup.fifo", 10, 0, 30) == []


def test_fifo_deduplication_scope_message_group_keeps_groups_apart(backend: sqs_models.SQSBackend) -> None:
    backend.create_queue("scoped.fifo", FifoQueue="true", DeduplicationScope="messageGroup")
    backend.send_message("scoped.fifo", "a", group_id="A", deduplication_id="same")
    backend.send_message("scoped.fifo", "b", group_id="B", deduplication_id="same")
    backend.send_message("scoped.fifo", "a-again", group_id="A", deduplication_id="same")
    assert bodies(backend.receive_message("scoped.fifo", 10, 0, 30)) == ["a", "b"]


def test_fifo_sequence_numbers_increase_for_every_message(backend: sqs_models.SQSBackend) -> None:
    backend.create_queue("seq.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    sent = [backend.send_message("seq.fifo", f"m{i}", group_id="g") for i in range(3)]
    numbers = [int(message.sequence_number) for message in sent]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert all(len(message.sequence_number) == 20 for message in sent)


def test_change_visibility_of_a_message_no_longer_in_flight_is_message_not_inflight(
    backend: sqs_models.SQSBackend, clock: FakeClock
) -> None:
    backend.create_queue("not-inflight", VisibilityTimeout="30")
    backend.send_message("not-inflight", "m")
    [message] = backend.receive_message("not-inflight", 10, 0, 30)
    clock.advance(31)
    with pytest.raises(MessageNotInflight):
        backend.change_message_visibility("not-inflight", message.receipt_handle, 60)


def test_receipt_handle_from_another_queue_is_invalid(backend: sqs_models.SQSBackend) -> None:
    backend.create_queue("one")
    backend.create_queue("two")
    backend.send_message("one", "m")
    [message] = backend.receive_message("one", 10, 0, 30)
    with pytest.raises(ReceiptHandleIsInvalid):
        backend.delete_message("two", message.receipt_handle)


# ----------------------------------------------------------------------------- fast path


def test_receive_batch_returns_snapshots_with_this_receive_handle(backend: sqs_models.SQSBackend, clock: FakeClock) -> None:
    queue = backend.create_queue("fast", VisibilityTimeout="30")
    backend.send_message("fast", "m", message_attributes={"k": {"DataType": "String", "StringValue": "v"}})
    [first] = receive_batch(queue, 10)
    clock.advance(31)
    [second] = receive_batch(queue, 10)
    assert first.id == second.id
    assert first.receipt_handle != second.receipt_handle
    assert (first.approximate_receive_count, second.approximate_receive_count) == (1, 2)
    assert second.message_attributes == {"k": {"DataType": "String", "StringValue": "v"}}


def test_receive_batch_may_take_more_than_ten(backend: sqs_models.SQSBackend) -> None:
    queue = backend.create_queue("many")
    for index in range(25):
        backend.send_message("many", f"m{index}")
    assert bodies(receive_batch(queue, 25)) == [f"m{index}" for index in range(25)]


def test_delete_batch_returns_only_the_invalid_handles(backend: sqs_models.SQSBackend) -> None:
    queue = backend.create_queue("delete-fast")
    for index in range(3):
        backend.send_message("delete-fast", f"m{index}")
    handles = [message.receipt_handle for message in receive_batch(queue, 10)]
    assert delete_batch(queue, handles + ["bogus"]) == ["bogus"]
    assert delete_batch(queue, handles) == []  # already gone counts as deleted
    assert queue.approximate_number_of_messages_not_visible == 0


def test_change_visibility_fast_path_makes_a_message_visible_again(backend: sqs_models.SQSBackend) -> None:
    queue = backend.create_queue("vt-fast", VisibilityTimeout="300")
    backend.send_message("vt-fast", "m")
    [message] = receive_batch(queue, 1)
    change_visibility(queue, message.receipt_handle, 0)
    [again] = receive_batch(queue, 1)
    assert again.approximate_receive_count == 2
    with pytest.raises(ReceiptHandleIsInvalid):
        change_visibility(queue, "bogus", 0)


def test_receive_batch_redrives_to_the_dlq(backend: sqs_models.SQSBackend, clock: FakeClock) -> None:
    dlq = backend.create_queue("fast-dlq")
    policy = json.dumps({"deadLetterTargetArn": dlq.queue_arn, "maxReceiveCount": 1})
    queue = backend.create_queue("fast-src", VisibilityTimeout="30", RedrivePolicy=policy)
    backend.send_message("fast-src", "poison")
    receive_batch(queue, 10)
    clock.advance(31)
    assert receive_batch(queue, 10) == []
    assert bodies(receive_batch(dlq, 10)) == ["poison"]


def test_fast_path_refuses_a_plain_moto_queue(clock: FakeClock) -> None:
    backend = sqs_models.sqs_backends[ACCOUNT][REGION]
    try:
        plain = backend.create_queue("plain")
        with pytest.raises(SqsStoreError, match="install_sqs_store"):
            receive_batch(plain, 10)
    finally:
        sqs_models.sqs_backends.reset()


def test_find_store_queue_by_arn(backend: sqs_models.SQSBackend) -> None:
    queue = backend.create_queue("by-arn")
    assert find_store_queue(queue.queue_arn) is queue
    with pytest.raises(SqsStoreError):
        find_store_queue(f"arn:aws:sqs:{REGION}:{ACCOUNT}:missing")


def test_receive_batch_long_poll_wakes_when_a_message_is_sent(backend: sqs_models.SQSBackend) -> None:
    queue = backend.create_queue("wake")
    sender = threading.Timer(0.2, lambda: backend.send_message("wake", "arrived"))
    sender.start()
    try:
        received = receive_batch(queue, 10, wait_seconds=10)
    finally:
        sender.join()
    assert bodies(received) == ["arrived"]


# ----------------------------------------------------------------------------- threads


def test_concurrent_consumers_and_a_producer_see_each_message_exactly_once(backend: sqs_models.SQSBackend) -> None:
    queue = backend.create_queue("busy", VisibilityTimeout="300")
    for index in range(3_000):
        backend.send_message("busy", str(index))
    seen: Counter[str] = Counter()
    seen_lock = threading.Lock()
    producer_done = threading.Event()

    def produce() -> None:
        for index in range(3_000, 4_000):
            backend.send_message("busy", str(index))
        producer_done.set()

    def consume() -> None:
        while True:
            messages = receive_batch(queue, 10)
            if not messages:
                if producer_done.is_set() and queue.approximate_number_of_messages == 0:
                    return
                continue
            assert delete_batch(queue, [message.receipt_handle for message in messages]) == []
            with seen_lock:
                seen.update(message.body for message in messages)

    threads = [threading.Thread(target=produce)] + [threading.Thread(target=consume) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(seen) == {str(index) for index in range(4_000)}
    assert max(seen.values()) == 1
    assert (queue.approximate_number_of_messages, queue.approximate_number_of_messages_not_visible) == (0, 0)


def test_long_poll_over_the_embedded_aws_does_not_hold_the_backend_lock(aws: Any) -> None:
    """The sandbox serves each request under one backend lock; a long poll must let go of it,
    or the SendMessage that should end the poll would wait for the poll to time out."""
    install_sqs_store()
    try:
        sqs = boto3.client(
            "sqs",
            endpoint_url=aws.endpoint_url,
            region_name=aws.region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        url = sqs.create_queue(QueueName="poll")["QueueUrl"]
        assert isinstance(sqs_models.sqs_backends[ACCOUNT][aws.region].get_queue("poll"), IndexedQueue)
        sender = threading.Timer(0.3, lambda: sqs.send_message(QueueUrl=url, MessageBody="wake up"))
        sender.start()
        try:
            response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
        finally:
            sender.join()
        assert [message["Body"] for message in response.get("Messages", [])] == ["wake up"]
    finally:
        uninstall_sqs_store()

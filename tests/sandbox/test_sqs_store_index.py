"""The SQS store's pure index: ordering, state transitions, counters, and no leftovers."""

from __future__ import annotations

import itertools

import pytest

from lambda_processor.sandbox.sqs_index import (
    DEDUPLICATION_WINDOW_MS,
    NotInFlight,
    QueueIndex,
    ReceiptHandleIssuer,
)

DAY_MS = 86_400_000
_handles = itertools.count()


def issue() -> str:
    return f"h{next(_handles)}"


def receive(index: QueueIndex, count: int, now: float, *, visibility_ms: float = 30_000, **overrides: object):
    arguments: dict = dict(
        now_ms=now,
        visible_at_ms=now + visibility_ms,
        retention_ms=DAY_MS,
        max_receive_count=None,
        issue_handle=issue,
    )
    arguments.update(overrides)
    return index.receive(count, **arguments)


def payloads(result) -> list:
    return [entry.payload for entry in result.delivered]


def fill(index: QueueIndex, items: list, now: float = 0.0, group: str | None = None) -> None:
    for item in items:
        index.add(item, group_id=group, sent_at_ms=now, delayed_until_ms=0, now_ms=now)


def counts(index: QueueIndex) -> tuple[int, int, int]:
    return index.ready, index.in_flight, index.delayed


def test_standard_queue_delivers_in_arrival_order() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["a", "b", "c"])
    assert payloads(receive(index, 2, 1)) == ["a", "b"]
    assert payloads(receive(index, 10, 2)) == ["c"]
    assert counts(index) == (0, 3, 0)


def test_message_back_from_flight_returns_to_its_place_in_arrival_order() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["a", "b", "c"])
    receive(index, 1, 1)  # "a" in flight until 30_001
    assert payloads(receive(index, 10, 30_002, visibility_ms=1_000_000)) == ["a", "b", "c"]


def test_visibility_ends_strictly_after_visible_at_and_delay_at_delayed_until() -> None:
    index = QueueIndex(fifo=False)
    index.add("late", group_id=None, sent_at_ms=0, delayed_until_ms=100, now_ms=0)
    assert counts(index) == (0, 0, 1)
    index.advance(100, DAY_MS)
    assert counts(index) == (1, 0, 0)
    [entry] = receive(index, 1, 100).delivered
    assert entry.due_ms == 30_100
    index.advance(30_100, DAY_MS)
    assert counts(index) == (0, 1, 0)
    index.advance(30_101, DAY_MS)
    assert counts(index) == (1, 0, 0)


def test_receive_counts_and_handles_accumulate_per_delivery() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["m"])
    [first] = receive(index, 1, 1).delivered
    [again] = receive(index, 1, 40_000).delivered
    assert again is first
    assert again.receive_count == 2
    assert again.first_receive_ms == 1
    assert len(again.receipt_handles) == 2
    assert index.find(again.receipt_handles[0]) is again  # earlier handles stay valid, as in moto


def test_delete_removes_every_handle_and_counts() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["m"])
    [entry] = receive(index, 1, 1).delivered
    handle = entry.receipt_handle
    assert index.delete(handle) is entry
    assert index.delete(handle) is None
    assert counts(index) == (0, 0, 0)
    assert payloads(receive(index, 1, 50_000)) == []


def test_fifo_serves_groups_merged_in_arrival_order_and_skips_blocked_groups() -> None:
    index = QueueIndex(fifo=True)
    for payload, group in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("c1", "C")]:
        index.add(payload, group_id=group, sent_at_ms=0, delayed_until_ms=0, now_ms=0)
    assert payloads(receive(index, 1, 1)) == ["a1"]
    assert payloads(receive(index, 10, 2)) == ["b1", "c1"]  # A is blocked by a1
    assert payloads(receive(index, 10, 3)) == []


def test_fifo_group_serves_several_messages_in_one_receive() -> None:
    index = QueueIndex(fifo=True)
    for payload in ["a1", "a2", "a3"]:
        index.add(payload, group_id="A", sent_at_ms=0, delayed_until_ms=0, now_ms=0)
    assert payloads(receive(index, 10, 1)) == ["a1", "a2", "a3"]


def test_fifo_group_unblocks_when_its_last_message_in_flight_leaves() -> None:
    index = QueueIndex(fifo=True)
    for payload in ["a1", "a2", "a3"]:
        index.add(payload, group_id="A", sent_at_ms=0, delayed_until_ms=0, now_ms=0)
    first, second = receive(index, 2, 1).delivered
    index.delete(first.receipt_handle)
    assert payloads(receive(index, 10, 2)) == []  # a2 is still in flight
    index.delete(second.receipt_handle)
    assert payloads(receive(index, 10, 3)) == ["a3"]


def test_fifo_expired_visibility_puts_the_message_back_at_the_head_of_its_group() -> None:
    index = QueueIndex(fifo=True)
    for payload in ["a1", "a2"]:
        index.add(payload, group_id="A", sent_at_ms=0, delayed_until_ms=0, now_ms=0)
    receive(index, 1, 1)
    assert payloads(receive(index, 10, 30_002)) == ["a1", "a2"]


def test_fifo_change_visibility_zero_unblocks_the_group() -> None:
    index = QueueIndex(fifo=True)
    for payload in ["a1", "a2"]:
        index.add(payload, group_id="A", sent_at_ms=0, delayed_until_ms=0, now_ms=0)
    [entry] = receive(index, 1, 1).delivered
    index.change_visibility(entry, 5, now_ms=5)
    assert payloads(receive(index, 10, 6)) == ["a1", "a2"]


def test_redrive_on_receive_once_receive_count_reaches_the_maximum() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["poison", "ok"])
    receive(index, 1, 1, max_receive_count=1)
    result = receive(index, 10, 40_000, max_receive_count=1)
    assert [entry.payload for entry in result.dead_lettered] == ["poison"]
    assert payloads(result) == ["ok"]
    assert counts(index) == (0, 1, 0)


def test_retention_expires_messages_in_any_state_and_frees_their_counts() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["old-ready", "old-in-flight"], now=0)
    index.add("old-delayed", group_id=None, sent_at_ms=0, delayed_until_ms=90_000, now_ms=0)
    receive(index, 1, 1, retention_ms=60_000)  # old-ready goes in flight (arrival order)
    index.add("new", group_id=None, sent_at_ms=50_000, delayed_until_ms=0, now_ms=50_000)
    assert index.advance(60_000, 60_000) == 3
    assert counts(index) == (1, 0, 0)
    assert payloads(receive(index, 10, 60_001, retention_ms=60_000)) == ["new"]


def test_retention_is_checked_at_delivery_for_messages_that_arrived_out_of_age_order() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["young"], now=100_000)
    # A redriven message keeps its original send time, older than what is already queued.
    index.add("redriven", group_id=None, sent_at_ms=0, delayed_until_ms=0, now_ms=100_000)
    result = receive(index, 10, 100_001, retention_ms=60_000)
    assert payloads(result) == ["young"]
    assert result.expired == 1
    assert counts(index) == (0, 1, 0)


def test_change_visibility_of_a_message_not_in_flight_is_refused() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["m"])
    [entry] = receive(index, 1, 1).delivered
    index.advance(40_000, DAY_MS)
    with pytest.raises(NotInFlight):
        index.change_visibility(entry, 100_000, now_ms=40_000)


def test_change_visibility_moves_the_deadline_either_way() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["m"])
    [entry] = receive(index, 1, 0).delivered  # visible again after 30_000
    index.change_visibility(entry, 100_000, now_ms=10)
    index.advance(50_000, DAY_MS)
    assert counts(index) == (0, 1, 0)
    index.change_visibility(entry, 60_000, now_ms=50_000)
    index.advance(60_001, DAY_MS)
    assert counts(index) == (1, 0, 0)


def test_repeated_visibility_extensions_do_not_grow_the_heap_without_bound() -> None:
    index = QueueIndex(fifo=False)
    fill(index, ["heartbeat"])
    [entry] = receive(index, 1, 0).delivered
    for step in range(5_000):
        index.change_visibility(entry, 100_000 + step, now_ms=1)
    assert len(index._invisible) <= 2 * index.in_flight + 256 + 1


def test_deduplication_lasts_five_minutes_from_the_first_send() -> None:
    index = QueueIndex(fifo=True)
    assert index.is_duplicate("d", 0) is False
    assert index.is_duplicate("d", DEDUPLICATION_WINDOW_MS - 1) is True
    assert index.is_duplicate("d", DEDUPLICATION_WINDOW_MS) is False
    assert index.is_duplicate("d", DEDUPLICATION_WINDOW_MS + 1) is True


def test_purge_empties_every_state_but_keeps_deduplication() -> None:
    index = QueueIndex(fifo=True)
    index.is_duplicate("d", 0)
    for payload in ["a1", "a2"]:
        index.add(payload, group_id="A", sent_at_ms=0, delayed_until_ms=0, now_ms=0)
    index.add("later", group_id="B", sent_at_ms=0, delayed_until_ms=10_000, now_ms=0)
    receive(index, 1, 1)
    index.purge()
    assert counts(index) == (0, 0, 0)
    assert payloads(receive(index, 10, 20_000)) == []
    assert index.is_duplicate("d", 1) is True


@pytest.mark.parametrize("fifo", [False, True])
def test_draining_a_deep_queue_leaves_no_index_state_behind(fifo: bool) -> None:
    index = QueueIndex(fifo=fifo)
    for number in range(5_000):
        index.add(number, group_id=f"g{number % 7}", sent_at_ms=0, delayed_until_ms=0, now_ms=0)
    delivered = []
    now = 1.0
    while True:
        batch = receive(index, 10, now).delivered
        if not batch:
            break
        delivered += [entry.payload for entry in batch]
        for entry in batch:
            index.delete(entry.receipt_handle)
        now += 1
    assert sorted(delivered) == list(range(5_000))
    index.advance(now, DAY_MS)
    assert counts(index) == (0, 0, 0)
    assert index._handles == {}
    assert len(index._by_age) == 0
    assert index._groups == {}


def test_receipt_handles_are_recognized_only_by_the_queue_that_issued_them() -> None:
    letters = itertools.cycle("abcdefghij")
    random_letters = lambda count: "".join(next(letters) for _ in range(count))  # noqa: E731
    orders = ReceiptHandleIssuer("arn:aws:sqs:us-east-1:123456789012:orders", random_letters, secret=b"k")
    audit = ReceiptHandleIssuer("arn:aws:sqs:us-east-1:123456789012:audit", random_letters, secret=b"k")
    handle = orders.issue()
    assert orders.is_ours(handle)
    assert not audit.is_ours(handle)
    assert not orders.is_ours(handle[:-1] + ("0" if handle[-1] != "0" else "1"))
    assert not orders.is_ours("short")

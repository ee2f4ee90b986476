"""The SQS event source mapping against a fake queue with SQS's rules and a FakeClock."""

from __future__ import annotations

import json
from dataclasses import dataclass

from lambda_processor.clock import FakeClock
from lambda_processor.dataplane.invoker import InvokeOutcome
from lambda_processor.dataplane.sqs_poller import MappingSettings, SqsPoller, allowed_concurrency

from .fake_queue import QUEUE_ARN, FakeQueue


@dataclass(frozen=True)
class Result:
    payload: bytes
    function_error: str | None = None


class Handler:
    """Records every event; answers with what the test asks for."""

    def __init__(self, answer=lambda records: None):
        self.events: list[list[dict]] = []
        self.answer = answer

    def __call__(self, payload: bytes) -> InvokeOutcome:
        records = json.loads(payload)["Records"]
        self.events.append(records)
        reply = self.answer(records)
        if isinstance(reply, InvokeOutcome):
            return reply
        if reply == "raise":
            return InvokeOutcome(Result(b'{"errorType":"ValueError"}', "Unhandled"))
        return InvokeOutcome(Result(json.dumps(reply).encode()))


def make(queue: FakeQueue, handler: Handler, clock: FakeClock, **settings) -> SqsPoller:
    options = dict(uuid="esm-1", function_name="fn", queue_arn=QUEUE_ARN, region="us-east-1",
                   visibility_timeout=queue.visibility_timeout)
    options.update(settings)
    return SqsPoller(MappingSettings(**options), port=queue, invoke=handler, clock=clock)


def test_sqs_20_invokes_with_records_built_from_real_message_state():
    clock = FakeClock()
    queue = FakeQueue(clock)
    message_id = queue.send('{"order": 1}')
    handler = Handler()
    make(queue, handler, clock).poll_once()
    (record,) = handler.events[0]
    assert record["messageId"] == message_id
    assert record["body"] == '{"order": 1}'
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == QUEUE_ARN
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["receiptHandle"].startswith("rh-")


def test_sqs_22_batch_never_exceeds_batch_size():
    clock = FakeClock()
    queue = FakeQueue(clock)
    for i in range(7):
        queue.send(str(i))
    handler = Handler()
    poller = make(queue, handler, clock, batch_size=3)
    poller.poll_once()
    poller.poll_once()
    poller.poll_once()
    assert [len(e) for e in handler.events] == [3, 3, 1]


def test_sqs_22_window_gathers_across_receives_until_batch_is_full():
    clock = FakeClock()
    queue = FakeQueue(clock)
    for i in range(25):
        queue.send(str(i))
    handler = Handler()
    make(queue, handler, clock, batch_size=20, window_seconds=5).poll_once()
    assert [len(e) for e in handler.events] == [20]


def test_sqs_22_window_elapses_with_a_partial_batch():
    clock = FakeClock()
    queue = FakeQueue(clock)
    queue.send("only one")
    handler = Handler()
    start = clock.now()
    make(queue, handler, clock, batch_size=50, window_seconds=4).poll_once()
    assert [len(e) for e in handler.events] == [1]
    assert clock.now() - start >= 4  # it waited out the window before invoking


def test_sqs_40_success_deletes_the_whole_batch():
    clock = FakeClock()
    queue = FakeQueue(clock)
    ids = [queue.send(str(i)) for i in range(4)]
    report = make(queue, Handler(), clock).poll_once()
    assert report.kind == "success" and list(report.deleted) == ids
    assert queue.messages == [] and queue.deleted == ids


def test_sqs_41_function_error_keeps_every_message_until_visibility_expires():
    clock = FakeClock()
    queue = FakeQueue(clock, visibility_timeout=30)
    queue.send("a")
    queue.send("b")
    calls = []
    handler = Handler(lambda records: calls.append(records) or ("raise" if len(calls) == 1 else None))
    poller = make(queue, handler, clock)
    assert poller.poll_once().kind == "failed"
    assert len(queue.messages) == 2
    assert poller.poll_once(idle_wait=0).kind == "empty"  # still invisible
    clock.advance(31)
    assert poller.poll_once().kind == "success"
    assert [r["attributes"]["ApproximateReceiveCount"] for r in handler.events[1]] == ["2", "2"]


def test_sqs_44_without_report_batch_item_failures_the_return_value_is_ignored():
    clock = FakeClock()
    queue = FakeQueue(clock)
    queue.send("a")
    handler = Handler(lambda records: {"batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]})
    report = make(queue, handler, clock, report_batch_item_failures=False).poll_once()
    assert report.kind == "success" and queue.messages == []


def test_sqs_45_partial_failure_deletes_all_but_the_listed_messages():
    clock = FakeClock()
    queue = FakeQueue(clock)
    ids = [queue.send(str(i)) for i in range(3)]
    handler = Handler(lambda records: {"batchItemFailures": [{"itemIdentifier": records[1]["messageId"]}]})
    report = make(queue, handler, clock, report_batch_item_failures=True).poll_once()
    assert report.kind == "partial"
    assert list(report.retried) == [ids[1]] and [m.message_id for m in queue.messages] == [ids[1]]


def test_sqs_46_empty_batch_item_failures_is_success():
    clock = FakeClock()
    queue = FakeQueue(clock)
    queue.send("a")
    report = make(queue, Handler(lambda r: {"batchItemFailures": []}), clock, report_batch_item_failures=True).poll_once()
    assert report.kind == "success" and queue.messages == []


def test_sqs_47_unknown_item_identifier_fails_the_whole_batch():
    clock = FakeClock()
    queue = FakeQueue(clock)
    queue.send("a")
    queue.send("b")
    handler = Handler(lambda r: {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]})
    report = make(queue, handler, clock, report_batch_item_failures=True).poll_once()
    assert report.kind == "failed" and len(queue.messages) == 2 and queue.deleted == []


def test_sqs_51_queue_redrive_moves_a_poison_message_to_the_dlq_after_max_receives():
    clock = FakeClock()
    queue = FakeQueue(clock, visibility_timeout=10, max_receive_count=3)
    poison = queue.send("poison")
    poller = make(queue, Handler(lambda r: "raise"), clock)
    for _ in range(3):
        assert poller.poll_once().kind == "failed"
        clock.advance(11)
    assert poller.poll_once(idle_wait=0).kind == "empty"
    assert [m.message_id for m in queue.dlq] == [poison]


def test_sqs_43_throttled_invoke_is_retried_until_the_visibility_timeout_then_left():
    clock = FakeClock()
    queue = FakeQueue(clock, visibility_timeout=3)
    queue.send("a")
    handler = Handler(lambda r: InvokeOutcome(None, throttled=True, throttle_reason="ReservedFunctionConcurrentInvocationLimitExceeded"))
    poller = make(queue, handler, clock)
    report = poller.poll_once()
    assert report.kind == "throttled"
    assert len(handler.events) > 2  # retried with backoff
    assert poller.stats.throttled_invokes == len(handler.events)
    assert len(queue.messages) == 1 and queue.deleted == []


def test_sqs_43_throttle_then_accept_processes_the_batch():
    clock = FakeClock()
    queue = FakeQueue(clock)
    queue.send("a")
    answers = iter([InvokeOutcome(None, throttled=True), None])
    report = make(queue, Handler(lambda r: next(answers)), clock).poll_once()
    assert report.kind == "success" and queue.messages == []


def test_flt_2_messages_no_filter_matches_are_deleted_unseen():
    clock = FakeClock()
    queue = FakeQueue(clock)
    keep = queue.send(json.dumps({"eventType": "IMPORTANT"}))
    drop = queue.send(json.dumps({"eventType": "DEBUG"}))
    plain = queue.send("not json")
    handler = Handler()
    report = make(queue, handler, clock, filter_patterns=('{"body": {"eventType": ["IMPORTANT", "CRITICAL"]}}',)).poll_once()
    assert [r["messageId"] for r in handler.events[0]] == [keep]
    assert set(report.filtered_out) == {drop, plain}
    assert queue.messages == [] and set(queue.deleted) == {keep, drop, plain}


def test_flt_3_a_batch_with_nothing_left_after_filtering_invokes_nothing():
    clock = FakeClock()
    queue = FakeQueue(clock)
    queue.send(json.dumps({"eventType": "DEBUG"}))
    handler = Handler()
    report = make(queue, handler, clock, filter_patterns=('{"body": {"eventType": ["IMPORTANT"]}}',)).poll_once()
    assert report.kind == "empty" and handler.events == [] and queue.messages == []


def test_sqs_50_fifo_failure_keeps_later_messages_of_the_same_group():
    clock = FakeClock()
    queue = FakeQueue(clock)
    a1 = queue.send("a1", group="a")
    a2 = queue.send("a2", group="a")
    b1 = queue.send("b1", group="b")
    handler = Handler(lambda records: {"batchItemFailures": [{"itemIdentifier": a1}]})
    report = make(queue, handler, clock, fifo=True, report_batch_item_failures=True).poll_once()
    assert set(report.retried) == {a1, a2} and list(report.deleted) == [b1]


def test_sqs_26_fifo_group_with_messages_in_flight_is_not_served():
    clock = FakeClock()
    queue = FakeQueue(clock)
    queue.send("a1", group="a")
    queue.send("a2", group="a")
    first = queue.receive(QUEUE_ARN, 1, 0)
    assert [m.body for m in first] == ["a1"]
    assert queue.receive(QUEUE_ARN, 10, 0) == []  # a2 waits for a1


def test_sqs_30_concurrency_starts_at_five_and_ramps_to_the_maximum():
    settings = MappingSettings(uuid="u", function_name="f", queue_arn=QUEUE_ARN, region="us-east-1", maximum_concurrency=50)
    assert allowed_concurrency(settings, seconds_with_backlog=0, local_cap=1000) == 5
    assert allowed_concurrency(settings, seconds_with_backlog=6, local_cap=1000) == 35
    assert allowed_concurrency(settings, seconds_with_backlog=600, local_cap=1000) == 50
    assert allowed_concurrency(settings, seconds_with_backlog=600, local_cap=8) == 8


def test_sqs_31_maximum_concurrency_caps_poll_slots():
    clock = FakeClock()
    queue = FakeQueue(clock)
    poller = make(queue, Handler(), clock, maximum_concurrency=2)
    poller.start()
    try:
        assert len(poller._threads) == 2
    finally:
        poller.stop()

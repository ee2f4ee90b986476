"""Differential test: random operation sequences on moto's queue and on the store, same answers.

Two queues, standard or FIFO (one moto ``Queue``, one ``IndexedQueue``), each with its own dead-letter
queue, receive the same random sends, receives, deletes, visibility changes and clock moves. After
every step both must agree on what was delivered (body and receive count, in order), on whether a
delete or visibility change succeeded, and on the three approximate counts of each queue.

The sequences stay inside what moto gets right (no retention expiry, visibility changes only on
messages in flight, unique FIFO deduplication ids, one message per FIFO receive), and the clock
moves at least 1 ms between steps because moto treats a message as visible only strictly after
its ``visible_at``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from moto.sqs import models as sqs_models
from moto.sqs.exceptions import SQSException

from lambda_processor.clock import FakeClock
from lambda_processor.sandbox.moto_adapter.sqs_store import IndexedQueue, install_sqs_store, uninstall_sqs_store

ACCOUNT = "123456789012"
REGION = "us-east-1"
VISIBILITY_S = 30


@pytest.fixture(params=["standard", "fifo"])
def queues(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeClock, Any, dict[str, str]]]:
    fifo = request.param == "fifo"
    suffix = ".fifo" if fifo else ""
    extra = {"FifoQueue": "true"} if fifo else {}
    clock = FakeClock()
    monkeypatch.setattr(sqs_models, "unix_time", lambda dt=None: clock.now())
    monkeypatch.setattr(sqs_models, "unix_time_millis", lambda dt=None: clock.now() * 1000.0)
    backend = sqs_models.sqs_backends[ACCOUNT][REGION]
    try:
        names = {}
        for implementation in ("moto", "store"):
            if implementation == "store":
                install_sqs_store()
            dlq = backend.create_queue(f"{implementation}-dlq{suffix}", **extra)
            policy = json.dumps({"deadLetterTargetArn": dlq.queue_arn, "maxReceiveCount": 3})
            source = backend.create_queue(
                f"{implementation}-src{suffix}", VisibilityTimeout=str(VISIBILITY_S), RedrivePolicy=policy, **extra
            )
            assert isinstance(source, IndexedQueue) == (implementation == "store")
            names[implementation] = source.name
            names[f"{implementation}-dlq"] = dlq.name
        yield clock, backend, names
    finally:
        uninstall_sqs_store()
        sqs_models.sqs_backends.reset()


def _counts(queue: Any) -> tuple[int, int, int]:
    return (
        queue.approximate_number_of_messages,
        queue.approximate_number_of_messages_not_visible,
        queue.approximate_number_of_messages_delayed,
    )


def _outcome(call: Any) -> str:
    try:
        call()
    except SQSException as error:
        return type(error).__name__
    return "ok"


@pytest.mark.parametrize("seed", range(8))
def test_random_operation_sequences_give_the_same_results_on_moto_and_the_store(
    queues: tuple[FakeClock, Any, dict[str, str]], seed: int
) -> None:
    clock, backend, queue_names = queues
    names = {implementation: queue_names[implementation] for implementation in ("moto", "store")}
    fifo = names["moto"].endswith(".fifo")
    rng = random.Random(seed)
    handles: dict[str, dict[str, str]] = {"moto": {}, "store": {}}  # body -> latest receipt handle
    in_flight_until: dict[str, float] = {}  # body -> when its visibility ends (same for both)
    sent = 0
    for step in range(400):
        operation = rng.choices(["send", "receive", "delete", "visibility", "advance"], [4, 4, 2, 1, 2])[0]
        if operation == "send":
            body = f"m{sent}"
            sent += 1
            if fifo:  # one of three groups; unique deduplication ids (moto's dedup differs)
                extra = {"group_id": rng.choice("ABC"), "deduplication_id": body}
            else:
                extra = {"delay_seconds": rng.choice([0, 0, 0, 5])}
            for implementation, name in names.items():
                backend.send_message(name, body, **extra)
        elif operation == "receive":
            # FIFO receives take one message: when several messages of a group come back from
            # flight together, moto serves the later one first (it re-checks the group's pending
            # set after un-pending only the first); the store keeps the group's order, as SQS does.
            count = 1 if fifo else rng.randint(1, 10)
            results = {}
            for implementation, name in names.items():
                messages = backend.receive_message(name, count, 0, VISIBILITY_S)
                results[implementation] = [(m.body, m.approximate_receive_count) for m in messages]
                for message in messages:
                    handles[implementation][message.body] = message.receipt_handle
            assert results["moto"] == results["store"], f"seed {seed} step {step}"
            for body, _ in results["store"]:
                in_flight_until[body] = clock.now() + VISIBILITY_S
        elif operation == "delete" and handles["store"]:
            body = rng.choice(sorted(handles["store"]))
            outcomes = {
                implementation: _outcome(lambda: backend.delete_message(name, handles[implementation][body]))
                for implementation, name in names.items()
            }
            in_dlq = body in {m.body for m in backend.get_queue(queue_names["moto-dlq"])._messages}
            if not in_dlq:  # moto forgets the handles of a redriven message; the store does not
                assert outcomes["moto"] == outcomes["store"], f"seed {seed} step {step}"
            in_flight_until.pop(body, None)
        elif operation == "visibility":
            flying = sorted(body for body, until in in_flight_until.items() if until > clock.now())
            if flying:
                body = rng.choice(flying)
                timeout = rng.choice([0, 10, 60])
                outcomes = {
                    implementation: _outcome(
                        lambda: backend.change_message_visibility(name, handles[implementation][body], timeout)
                    )
                    for implementation, name in names.items()
                }
                assert outcomes["moto"] == outcomes["store"], f"seed {seed} step {step}"
                in_flight_until[body] = clock.now() + timeout
        clock.advance(rng.choice([0.001, 0.001, 1, 10, VISIBILITY_S + 1]) if operation == "advance" else 0.001)
        for moto_name, store_name in ((names["moto"], names["store"]), (queue_names["moto-dlq"], queue_names["store-dlq"])):
            assert _counts(backend.get_queue(moto_name)) == _counts(backend.get_queue(store_name)), (
                f"seed {seed} step {step} {store_name}"
            )

"""Lambda's internal queue for asynchronous invocations (ASY-1..10, SNS-1, EB-1, EB-4).

SNS deliveries, EventBridge targets, schedules and ``Invoke(InvocationType=Event)`` all
land here. Workers take events when they are due, invoke the function, and ask
``async_semantics.decide_after_attempt`` what next: retry later (function errors after
~1 and ~2 minutes, throttles with exponential backoff), or finish, which sends the
invocation record to an on-success/on-failure destination and, on failure, the original
event to the function's dead-letter queue with AWS's ``RequestID``/``ErrorCode``/
``ErrorMessage`` attributes.

Time comes from the injected clock, so tests move through retries without sleeping:
``process_due()`` runs everything due now, synchronously.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Protocol

from ..async_semantics import (
    AsyncConfig,
    AsyncEvent,
    Deliver,
    ResultKind,
    check_async_payload,
    check_event_age,
    decide_after_attempt,
    dlq_message_attributes,
    invocation_record,
)
from ..clock import Clock
from .invoker import InvokeOutcome

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AsyncTarget:
    """One function's asynchronous settings, as deployed."""

    function_name: str
    function_arn: str
    config: AsyncConfig = AsyncConfig()
    reserved_concurrency: int | None = None
    dead_letter_arn: str | None = None
    on_success_arn: str | None = None
    on_failure_arn: str | None = None


class DestinationSender(Protocol):
    def __call__(self, target_arn: str, body: str, attributes: dict | None) -> None:
        """Deliver ``body`` to an SQS queue, SNS topic, Lambda function or event bus, by ARN."""


@dataclass
class AsyncStats:
    received: int = 0
    attempts: int = 0
    retries_scheduled: int = 0
    succeeded: int = 0
    failed: int = 0
    sent_to_dlq: int = 0
    dead_letter_errors: int = 0
    destination_failures: int = 0
    conditions: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class _Pending:
    function_name: str
    event: AsyncEvent
    last: InvokeOutcome | None = None


class AsyncInvocationQueue:
    """A due-time heap of events plus worker threads that drain it."""

    def __init__(
        self,
        invoke: Callable[[str, bytes, str], InvokeOutcome],
        *,
        clock: Clock,
        target_for: Callable[[str], AsyncTarget],
        send: DestinationSender,
        workers: int = 4,
    ):
        self._invoke = invoke
        self._clock = clock
        self._target_for = target_for
        self._send = send
        self._workers = workers
        self._heap: list[tuple[float, int, _Pending]] = []
        self._sequence = itertools.count()
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self.stats: dict[str, AsyncStats] = defaultdict(AsyncStats)

    # -- accepting events ------------------------------------------------------------------

    def submit(self, function_name: str, payload: bytes, *, request_id: str | None = None) -> str:
        """Accept an event (HTTP 202 in AWS) and return its request id."""
        check_async_payload(payload, function_name)
        request_id = request_id or str(uuid.uuid4())
        event = AsyncEvent(request_id=request_id, payload=payload, first_received_at=self._clock.now())
        with self._condition:
            self.stats[function_name].received += 1
            self._push(self._clock.now(), _Pending(function_name, event))
        return request_id

    def _push(self, due: float, pending: _Pending) -> None:
        heapq.heappush(self._heap, (due, next(self._sequence), pending))
        self._condition.notify()

    def pending(self) -> int:
        with self._condition:
            return len(self._heap) + self._busy

    def next_due(self) -> float | None:
        with self._condition:
            return self._heap[0][0] if self._heap else None

    # -- processing ------------------------------------------------------------------------

    def _take_due(self) -> _Pending | None:
        with self._condition:
            if self._heap and self._heap[0][0] <= self._clock.now():
                self._busy += 1
                return heapq.heappop(self._heap)[2]
            return None

    def process_due(self) -> int:
        """Run every event that is due now, in this thread; return how many attempts ran."""
        count = 0
        while (pending := self._take_due()) is not None:
            try:
                self._attempt(pending)
            finally:
                with self._condition:
                    self._busy -= 1
            count += 1
        return count

    def _attempt(self, pending: _Pending) -> None:
        target = self._target_for(pending.function_name)
        stats = self.stats[pending.function_name]
        now = self._clock.now()
        expired = check_event_age(pending.event, target.config, now)
        if expired is not None:
            self._finish(target, pending, expired)
            return
        if target.reserved_concurrency == 0:
            decision = decide_after_attempt(pending.event, ResultKind.THROTTLED, target.config, now, 0)
        else:
            outcome = self._invoke(pending.function_name, pending.event.payload, pending.event.request_id)
            pending.last = outcome
            with self._condition:
                stats.attempts += 0 if outcome.throttled else 1
            if outcome.throttled:
                kind = ResultKind.THROTTLED
            elif outcome.function_error is not None:
                kind = ResultKind.FUNCTION_ERROR
            else:
                kind = ResultKind.SUCCESS
            decision = decide_after_attempt(pending.event, kind, target.config, self._clock.now(), target.reserved_concurrency)
        if isinstance(decision, Deliver):
            self._finish(target, _Pending(pending.function_name, decision.event, pending.last), decision)
            return
        with self._condition:
            stats.retries_scheduled += 1
            self._push(decision.at, _Pending(pending.function_name, decision.event, pending.last))

    def _finish(self, target: AsyncTarget, pending: _Pending, decision: Deliver) -> None:
        stats = self.stats[pending.function_name]
        event, last = pending.event, pending.last
        result = last.result if last is not None else None
        with self._condition:
            stats.conditions[decision.condition] += 1
            if decision.failed:
                stats.failed += 1
            else:
                stats.succeeded += 1
        destination = target.on_failure_arn if decision.failed else target.on_success_arn
        if destination:
            record = invocation_record(
                request_id=event.request_id,
                function_arn=f"{target.function_arn}:$LATEST",
                condition=decision.condition,
                approximate_invoke_count=max(event.attempts, 1) if result is not None else event.attempts,
                request_payload=event.payload,
                timestamp=self._clock.now(),
                status_code=200 if result is not None else None,
                function_error=getattr(result, "function_error", None),
                response_payload=getattr(result, "payload", None),
            )
            try:
                self._send(destination, json.dumps(record), None)
            except Exception:
                log.exception("destination %s for %s failed", destination, target.function_name)
                with self._condition:
                    stats.destination_failures += 1
        if decision.failed and target.dead_letter_arn:
            if last is not None and last.throttled:
                code, message = 429, "Rate Exceeded."
            elif result is not None:
                code = 200
                message = getattr(result, "error_message", None) or getattr(result, "error_type", None) or "Unhandled"
            else:
                code, message = 429, decision.condition
            try:
                self._send(target.dead_letter_arn, event.payload.decode("utf-8", "replace"),
                           dlq_message_attributes(event.request_id, code, message))
                with self._condition:
                    stats.sent_to_dlq += 1
            except Exception:
                # ASY-8: the event is dropped and DeadLetterErrors counts it.
                log.exception("dead-letter delivery to %s failed for %s", target.dead_letter_arn, target.function_name)
                with self._condition:
                    stats.dead_letter_errors += 1

    # -- threads -----------------------------------------------------------------------------

    def start(self) -> None:
        for index in range(self._workers):
            thread = threading.Thread(target=self._worker, name=f"async-invoke-{index}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _worker(self) -> None:
        while not self._stop.is_set():
            pending = self._take_due()
            if pending is None:
                with self._condition:
                    wait = 0.5
                    if self._heap:
                        wait = max(0.0, min(wait, self._heap[0][0] - self._clock.now()))
                    self._condition.wait(wait if wait > 0 else 0.01)
                continue
            try:
                self._attempt(pending)
            except Exception:
                log.exception("async invocation of %s failed unexpectedly", pending.function_name)
            finally:
                with self._condition:
                    self._busy -= 1

    def stop(self) -> None:
        self._stop.set()
        with self._condition:
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(10)
        self._threads.clear()

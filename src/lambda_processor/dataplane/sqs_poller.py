"""Lambda's SQS event source mapping, run against the sandbox's queues (SQS-20..52, FLT-1..9).

One ``SqsPoller`` per mapping. Each of its poll slots repeatedly:

1. gathers a batch: receives up to ``batch_size`` messages, waiting at most the batching
   window (SQS-22), filtering each message as it arrives and deleting the ones no filter
   matches (FLT-2, FLT-3);
2. invokes the function synchronously with ``{"Records": [...]}`` built from the real
   message state (SQS-20, SQS-60..62); a throttled invoke is retried with backoff until the
   batch's visibility timeout runs out (SQS-43);
3. turns the outcome into queue actions: delete what succeeded and leave the rest invisible
   until their visibility timeout expires, so the queue's own ``maxReceiveCount`` moves them
   to its DLQ (SQS-40..51).

The decisions (record shape, filtering, outcome) are pure functions in
``sqs_semantics``; this module only sequences them against a ``QueuePort``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from .. import sqs_semantics as sem
from ..clock import Clock
from .invoker import InvokeOutcome

log = logging.getLogger(__name__)

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024  # SQS-22 (c): the 6 MB synchronous invoke limit
# The invoke payload is ``{"Records": [r1, r2, ...]}`` exactly as json.dumps writes it; each
# record is encoded once, when it is sized, and the payload is joined from those pieces.
_PAYLOAD_PREFIX = '{"Records": ['
_PAYLOAD_SUFFIX = "]}"
_RECORD_SEPARATOR = ", "
IDLE_WAIT_SECONDS = 1.0  # long-poll wait when the queue is empty; keeps shutdown responsive
INITIAL_CONCURRENCY = 5  # SQS-30: a mapping starts with 5 concurrent batches
SCALE_UP_PER_MINUTE = 300  # SQS-30: and adds up to 300 per minute while messages remain
MAPPING_CONCURRENCY_LIMIT = 1000  # SQS-30: at most 1,000 concurrent batches per mapping


class QueuePort(Protocol):
    """The queue operations the poller needs; implemented in-process over the sandbox store."""

    def receive(self, queue_arn: str, max_messages: int, wait_seconds: float) -> list[sem.ReceivedMessage]: ...

    def delete(self, queue_arn: str, receipt_handles: Sequence[str]) -> None: ...

    def change_visibility(self, queue_arn: str, receipt_handle: str, timeout: int) -> None: ...


@dataclass(frozen=True)
class MappingSettings:
    """An event source mapping as deployed, plus what the poller needs of its queue."""

    uuid: str
    function_name: str
    queue_arn: str
    region: str
    batch_size: int = 10
    window_seconds: int = 0
    enabled: bool = True
    report_batch_item_failures: bool = False
    maximum_concurrency: int | None = None
    filter_patterns: tuple[str, ...] = ()
    fifo: bool = False
    visibility_timeout: int = 30


@dataclass
class MappingStats:
    """Counters for ``status`` and for tests; updated under the poller's lock."""

    received: int = 0
    filtered_out: int = 0
    batches: int = 0
    deleted: int = 0
    failed_batches: int = 0
    partial_batches: int = 0
    left_for_retry: int = 0
    throttled_invokes: int = 0
    in_flight_batches: int = 0
    batch_sizes: deque = field(default_factory=lambda: deque(maxlen=10_000))  # the latest batches only


@dataclass(frozen=True)
class BatchReport:
    """What one poll slot did with one batch."""

    message_ids: tuple[str, ...]
    deleted: tuple[str, ...]
    retried: tuple[str, ...]
    filtered_out: tuple[str, ...]
    kind: str  # "success" | "partial" | "failed" | "throttled" | "empty"
    error: str | None = None


def allowed_concurrency(settings: MappingSettings, *, seconds_with_backlog: float, local_cap: int) -> int:
    """How many batches may be in flight now (SQS-30, SQS-31), bounded by the local cap."""
    ceiling = min(settings.maximum_concurrency or MAPPING_CONCURRENCY_LIMIT, MAPPING_CONCURRENCY_LIMIT, local_cap)
    ramp = INITIAL_CONCURRENCY + int(seconds_with_backlog / 60 * SCALE_UP_PER_MINUTE)
    return max(1, min(ceiling, ramp))


class SqsPoller:
    """Runs one mapping: ``poll_once`` is one batch; ``start`` runs poll slots in threads."""

    def __init__(
        self,
        settings: MappingSettings,
        *,
        port: QueuePort,
        invoke: Callable[[bytes], InvokeOutcome],
        clock: Clock,
        local_concurrency_cap: int = 8,
        on_batch: Callable[[BatchReport], None] | None = None,
    ):
        self.settings = settings
        self._port = port
        self._invoke = invoke
        self._clock = clock
        self._filters = sem.FilterSet.from_patterns(list(settings.filter_patterns))
        self._cap = local_concurrency_cap
        self._on_batch = on_batch
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._backlog_since: float | None = None
        self.stats = MappingStats()

    # -- one batch ---------------------------------------------------------------------

    def poll_once(self, *, idle_wait: float = IDLE_WAIT_SECONDS) -> BatchReport:
        """Gather, invoke and settle one batch (or report that the queue was empty)."""
        batch, encoded, filtered = self._gather(idle_wait)
        if not batch:
            report = BatchReport((), (), (), tuple(m.message_id for m in filtered), "empty")
        else:
            report = self._process(batch, encoded, filtered)
        if self._on_batch is not None:
            self._on_batch(report)
        return report

    def _gather(self, idle_wait: float) -> tuple[list[sem.ReceivedMessage], list[str], list[sem.ReceivedMessage]]:
        """The batch, each batch message's record as JSON, and the messages filtered out."""
        s = self.settings
        batch: list[sem.ReceivedMessage] = []
        encoded: list[str] = []
        filtered_out: list[sem.ReceivedMessage] = []
        size = 0
        deadline = self._clock.now() + s.window_seconds
        while len(batch) < s.batch_size and not self._stop.is_set():
            remaining = deadline - self._clock.now()
            if s.window_seconds:
                # Short polls across the window: a 20 s long poll would hold up stop() as long.
                wait = max(0.0, min(remaining, idle_wait))
            else:
                wait = 0.0 if batch else idle_wait
            received = self._port.receive(s.queue_arn, min(10, s.batch_size - len(batch)), wait)
            kept, dropped = sem.filter_messages(self._filters, received)
            if dropped:
                # FLT-2: a message no filter matches is deleted, never seen by the function.
                self._port.delete(s.queue_arn, [m.receipt_handle for m in dropped])
                filtered_out.extend(dropped)
            for message in kept:
                record = json.dumps(sem.build_sqs_record(message, s.queue_arn, s.region))
                # Same measure as sem.payload_size([record]); json.dumps output is ASCII.
                record_size = len(_PAYLOAD_PREFIX) + len(record) + len(_PAYLOAD_SUFFIX)
                if batch and size + record_size > SYNC_PAYLOAD_LIMIT:
                    # SQS-22 (c)/SQS-23: the batch is full by size; hand the message back.
                    self._port.change_visibility(s.queue_arn, message.receipt_handle, 0)
                    continue
                batch.append(message)
                encoded.append(record)
                size += record_size
            with self._lock:
                self.stats.received += len(received)
                self.stats.filtered_out += len(dropped)
            if not s.window_seconds or self._clock.now() >= deadline:
                break
            if not received and remaining <= 0:
                break
        return batch, encoded, filtered_out

    def _process(self, batch: list[sem.ReceivedMessage], encoded: list[str],
                 filtered: list[sem.ReceivedMessage]) -> BatchReport:
        s = self.settings
        ids = tuple(m.message_id for m in batch)
        payload = (_PAYLOAD_PREFIX + _RECORD_SEPARATOR.join(encoded) + _PAYLOAD_SUFFIX).encode()
        with self._lock:
            self.stats.in_flight_batches += 1
            self.stats.batches += 1
            self.stats.batch_sizes.append(len(batch))
        try:
            outcome = self._invoke_until_accepted(payload)
        finally:
            with self._lock:
                self.stats.in_flight_batches -= 1
        filtered_ids = tuple(m.message_id for m in filtered)
        if outcome is None:
            with self._lock:
                self.stats.left_for_retry += len(batch)
            return BatchReport(ids, (), ids, filtered_ids, "throttled", "throttled until the visibility timeout expired")

        result = outcome.result
        decision = sem.decide_batch_outcome(
            ids,
            function_error=result.function_error,
            response_payload=result.payload,
            report_batch_item_failures=s.report_batch_item_failures,
        )
        retry = set(decision.retry)
        if s.fifo and retry:
            retry = set(sem.fifo_retry_set(batch, retry))
        delete = [m for m in batch if m.message_id not in retry]
        if delete:
            self._port.delete(s.queue_arn, [m.receipt_handle for m in delete])
        kind = decision.kind.value if hasattr(decision.kind, "value") else str(decision.kind)
        with self._lock:
            self.stats.deleted += len(delete)
            self.stats.left_for_retry += len(retry)
            if kind == "failed":
                self.stats.failed_batches += 1
            elif kind == "partial":
                self.stats.partial_batches += 1
        return BatchReport(
            ids,
            tuple(m.message_id for m in delete),
            tuple(m.message_id for m in batch if m.message_id in retry),
            filtered_ids,
            kind,
            decision.error,
        )

    def _invoke_until_accepted(self, payload: bytes) -> InvokeOutcome | None:
        """SQS-43: retry a throttled invoke with backoff until the visibility timeout runs out."""
        give_up_at = self._clock.now() + self.settings.visibility_timeout
        delay = 0.1
        while True:
            outcome = self._invoke(payload)
            if not outcome.throttled:
                return outcome
            with self._lock:
                self.stats.throttled_invokes += 1
            if self._clock.now() + delay >= give_up_at or self._stop.is_set():
                return None
            self._clock.sleep(delay)
            delay = min(delay * 2, 5.0)

    # -- poll slots ----------------------------------------------------------------------

    def start(self) -> None:
        """Start poll slots in background threads (no-op for a disabled mapping)."""
        if not self.settings.enabled or self._threads:
            return
        slots = min(self.settings.maximum_concurrency or MAPPING_CONCURRENCY_LIMIT, self._cap)
        for index in range(slots):
            thread = threading.Thread(
                target=self._slot_loop, args=(index,), name=f"sqs-poller-{self.settings.uuid[:8]}-{index}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _slot_loop(self, index: int) -> None:
        while not self._stop.is_set():
            backlog = 0.0 if self._backlog_since is None else self._clock.now() - self._backlog_since
            if index >= allowed_concurrency(self.settings, seconds_with_backlog=backlog, local_cap=self._cap):
                self._stop.wait(0.2)
                continue
            try:
                report = self.poll_once()
            except Exception:  # keep polling: AWS's mapping survives transient errors
                log.exception("poller %s: batch failed unexpectedly", self.settings.uuid)
                self._stop.wait(1.0)
                continue
            if report.kind == "empty":
                self._backlog_since = None
            elif self._backlog_since is None:
                self._backlog_since = self._clock.now()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

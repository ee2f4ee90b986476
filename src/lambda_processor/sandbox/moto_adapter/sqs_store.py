"""A constant-cost SQS store behind moto 5.2.5's SQS API.

moto's ``Queue`` keeps every message in one list and rescans it, with datetime conversions, for
every count, receive, delete and visibility change, so each call costs O(queue depth). This module
replaces the storage of each queue with :class:`~lambda_processor.sandbox.sqs_index.QueueIndex`
(a ready line, min-heaps for invisible-until and delayed-until, a receipt-handle map and live
counters) while keeping moto's request handling, validation and rendering. boto3, the AWS CLI,
Terraform and the in-process data plane therefore all see the same queues.

How it plugs in (all moto-specific, pinned to moto 5.2.5, checked by
:func:`check_moto_compatibility`):

- :class:`IndexedQueue` subclasses moto's ``Queue``. ``SQSBackend.create_queue`` looks the
  module-level name ``moto.sqs.models.Queue`` up at call time, so :func:`install_sqs_store` points
  that name at the subclass: queues created afterwards use the store.
- The backend methods that reach into ``Queue._messages`` are replaced by versions that dispatch
  on the queue's type (moto's original code still serves queues created before installing):
  ``receive_message``, ``change_message_visibility``, ``purge_queue`` and
  ``is_message_valid_based_on_retention_period``. ``send_message``, ``delete_message``,
  ``get_queue_attributes`` and the batch variants stay moto's: they call ``Queue.add_message`` /
  ``Queue.delete_message`` / ``Queue.attributes``, which the subclass implements (the counts in
  ``attributes`` are live counters).
- Every visibility change goes through the store; moto's ``Message.mark_received`` and
  ``Message.change_visibility`` (which set ``visible_at`` directly) are never called for store
  queues. ``Message.visible_at`` is still kept in step for anyone reading it.

Time is moto's clock, read as ``moto.sqs.models.unix_time_millis()`` at call time, so a test that
patches that name moves moto and the store together. Long-poll waits are measured on the
monotonic clock, so they end even when a test clock stands still.

Threading: moto itself is not thread-safe, and the sandbox serves each request under one
``backend_lock``. Each store queue also has its own lock around every index operation, so the
fast path below needs no ``backend_lock``. Long polls wait on a condition without holding the
queue lock, and release ``backend_lock`` while they wait when the calling thread holds it.

Differences from moto, each one closer to SQS:

- messages of a FIFO group that come back from flight together are served in group order (moto
  serves a later one first);
- expired messages (retention) leave the queue and its counts;
- FIFO deduplication lasts 5 minutes from the first send even if that message was deleted, and
  honours ``DeduplicationScope=messageGroup``;
- every FIFO message gets an increasing ``SequenceNumber``;
- changing the visibility of a message that is not in flight fails with ``MessageNotInflight``;
- deleting with a receipt handle of a message that is already gone succeeds without the store
  remembering every deleted handle (handles carry a MAC of their queue).

In-process fast path for the data plane (no HTTP, no per-call attribute filtering):
:func:`receive_batch`, :func:`delete_batch`, :func:`change_visibility`, :func:`find_store_queue`.
"""

from __future__ import annotations

import copy
import inspect
import json
import string
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import moto
from moto.core.utils import camelcase_to_underscores
from moto.core.utils import unix_time_millis as _MOTO_UNIX_TIME_MILLIS
from moto.moto_api._internal import mock_random
from moto.sqs import models as sqs_models
from moto.sqs.exceptions import InvalidParameterValue, ReceiptHandleIsInvalid, SQSException

from lambda_processor.errors import LambdaProcessorError
from lambda_processor.sandbox.moto_adapter.locking import backend_lock
from lambda_processor.sandbox.sqs_index import NotInFlight, QueueIndex, ReceiptHandleIssuer

MOTO_VERSION_PATCHED = "5.2.5"

#: Every moto callable this module overrides or relies on, with the signature it was written
#: against. :func:`check_moto_compatibility` compares them with the installed moto; the sandbox's
#: adapter self-test includes this table.
SQS_STORE_PATCHED_SIGNATURES: dict[str, str] = {
    "moto.sqs.models.SQSBackend.receive_message": "(self, queue_name: str, count: int, wait_seconds_timeout: int, visibility_timeout: int, message_attribute_names: list[str] | None = None) -> list[moto.sqs.models.Message]",
    "moto.sqs.models.SQSBackend.change_message_visibility": "(self, queue_name: str, receipt_handle: str, visibility_timeout: int) -> None",
    "moto.sqs.models.SQSBackend.purge_queue": "(self, queue_name: str) -> None",
    "moto.sqs.models.SQSBackend.is_message_valid_based_on_retention_period": "(self, queue_name: str, message: moto.sqs.models.Message) -> bool",
    "moto.sqs.models.SQSBackend.delete_message": "(self, queue_name: str, receipt_handle: str) -> None",
    "moto.sqs.models.SQSBackend.send_message": "(self, queue_name: str, message_body: str, message_attributes: dict[str, typing.Any] | None = None, delay_seconds: int | None = None, deduplication_id: str | None = None, group_id: str | None = None, system_attributes: dict[str, typing.Any] | None = None, validate_group_id: bool = True) -> moto.sqs.models.Message",
    "moto.sqs.models.SQSBackend.get_queue": "(self, queue_name: str) -> moto.sqs.models.Queue",
    "moto.sqs.models.Queue.__init__": "(self, name: str, region: str, account_id: str, **kwargs: Any)",
    "moto.sqs.models.Queue.add_message": "(self, message: moto.sqs.models.Message) -> None",
    "moto.sqs.models.Queue.delete_message": "(self, receipt_handle: str) -> None",
    "moto.sqs.models.Queue.wait_for_messages": "(self, timeout: int) -> None",
    "moto.sqs.models.Message.__init__": "(self, message_id: str, body: str, system_attributes: dict[str, typing.Any] | None = None)",
    "moto.sqs.models._filter_message_attributes": "(message: moto.sqs.models.Message, input_message_attributes: list[str]) -> None",
}

# Message fields the store reads or keeps in step (set in Message.__init__).
_MESSAGE_FIELDS = (
    "receipt_handle",
    "_old_receipt_handles",
    "approximate_receive_count",
    "approximate_first_receive_timestamp",
    "visible_at",
    "delayed_until",
    "sent_timestamp",
    "group_id",
    "deduplication_id",
    "sequence_number",
)
# Queue properties the store replaces with live counters or index views.
_QUEUE_PROPERTIES = (
    "messages",
    "pending_messages",
    "approximate_number_of_messages",
    "approximate_number_of_messages_not_visible",
    "approximate_number_of_messages_delayed",
    "attributes",
)

_MAX_TOTAL_VISIBILITY_MS = 43200 * 1000  # moto's limit, measured from the send
_SEQUENCE_BASE = 18_000_000_000_000_000_000  # 20-digit FIFO SequenceNumber, increasing per queue
_SHORTEST_WAIT_S = 0.01  # floor for a long-poll wait that targets a due time "now"


class SqsStoreError(LambdaProcessorError):
    """The SQS store cannot do what was asked."""


class SqsStoreCompatibilityError(SqsStoreError):
    """The installed moto is not the version (or shape) the SQS store was written for."""


class MessageNotInflight(SQSException):
    """SQS's answer to ChangeMessageVisibility on a message nobody holds."""

    def __init__(self) -> None:
        super().__init__(
            "AWS.SimpleQueueService.MessageNotInflight",
            "The message referred to isn't in flight.",
        )


# ---------------------------------------------------------------------------- version pinning


def check_moto_compatibility() -> None:
    """Raise SqsStoreCompatibilityError unless moto is 5.2.5 with the signatures pinned above."""
    if moto.__version__ != MOTO_VERSION_PATCHED:
        raise SqsStoreCompatibilityError(
            f"moto {moto.__version__} is installed but the SQS store patches moto "
            f"{MOTO_VERSION_PATCHED} internals",
            where="lambda_processor.sandbox.moto_adapter.sqs_store",
            hint=f"install moto=={MOTO_VERSION_PATCHED}, or re-verify the store against the new "
            "moto and update MOTO_VERSION_PATCHED and SQS_STORE_PATCHED_SIGNATURES",
        )
    mismatches = []
    for qualified, expected in SQS_STORE_PATCHED_SIGNATURES.items():
        actual = _signature_of(qualified)
        if actual != expected:
            mismatches.append(f"{qualified}: expected {expected}, found {actual}")
    probe = sqs_models.Message("probe", "")
    mismatches += [
        f"moto.sqs.models.Message.{name}: missing" for name in _MESSAGE_FIELDS if not hasattr(probe, name)
    ]
    mismatches += [
        f"moto.sqs.models.Queue.{name}: not a property"
        for name in _QUEUE_PROPERTIES
        if not isinstance(inspect.getattr_static(_ORIGINAL_QUEUE, name, None), property)
    ]
    if mismatches:
        raise SqsStoreCompatibilityError(
            "moto's SQS internals differ from what the SQS store patches: " + "; ".join(mismatches),
            where="lambda_processor.sandbox.moto_adapter.sqs_store",
            hint="re-verify the store against this moto before using it",
        )


def _signature_of(qualified: str) -> str:
    _, _, path = qualified.partition("moto.sqs.models.")
    target: Any = sqs_models
    for part in path.split("."):
        if target is sqs_models and part == "Queue":
            target = _ORIGINAL_QUEUE  # the name may point at IndexedQueue while installed
            continue
        if target is sqs_models.SQSBackend and part in _ORIGINAL_BACKEND_METHODS:
            target = _ORIGINAL_BACKEND_METHODS[part]
            continue
        target = getattr(target, part, None)
        if target is None:
            return "<missing>"
    try:
        return str(inspect.signature(target))
    except (TypeError, ValueError):
        return "<no signature>"


# ---------------------------------------------------------------------------- the queue

# If this module is imported again while installed, the names already point at the store.
_ORIGINAL_QUEUE = getattr(sqs_models.Queue, "_moto_queue", sqs_models.Queue)


def _now_ms() -> float:
    # Looked up on the module each time so a patched moto clock moves the store too. moto's own
    # clock goes through datetime arithmetic (~5 us); time.time() gives the same value.
    clock = sqs_models.unix_time_millis
    if clock is _MOTO_UNIX_TIME_MILLIS:
        return time.time() * 1000.0
    return clock()


def _random_letters(count: int) -> str:
    # moto's seedable random, so /moto-api/seed keeps handles reproducible.
    return "".join(mock_random.choices(string.ascii_lowercase, k=count))


def _backend_lock_released() -> Any:
    # The sandbox serves each request under one backend lock; a long poll must let go of it, or
    # the SendMessage that should end the poll waits for the poll to time out.
    return backend_lock.suspended()


_FIELD = {
    name: camelcase_to_underscores(name)
    for name in (*_ORIGINAL_QUEUE.BASE_ATTRIBUTES, *_ORIGINAL_QUEUE.FIFO_ATTRIBUTES, *_ORIGINAL_QUEUE.KMS_ATTRIBUTES)
}


class IndexedQueue(_ORIGINAL_QUEUE):  # type: ignore[misc, valid-type]
    """moto's ``Queue`` with its message list replaced by a :class:`QueueIndex`."""

    _moto_queue = _ORIGINAL_QUEUE

    def __init__(self, name: str, region: str, account_id: str, **kwargs: Any):
        # Set before moto's __init__, which assigns self._messages (our property) on the way.
        self._index = QueueIndex(fifo=False)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._version = 0
        super().__init__(name, region=region, account_id=account_id, **kwargs)
        self._index.fifo = bool(self.fifo_queue)
        self._issuer = ReceiptHandleIssuer(self.queue_arn, _random_letters)

    # -- what moto's own code reads -------------------------------------------------------

    @property  # type: ignore[override]
    def _messages(self) -> list[sqs_models.Message]:
        """Every live message in arrival order (O(n): for inspection and old callers only)."""
        with self._lock:
            return [entry.payload for entry in self._index.live_entries()]

    @_messages.setter
    def _messages(self, value: list[sqs_models.Message]) -> None:
        # moto assigns [] in __init__ and in purge_queue; nothing else is meaningful here.
        if list(value):
            raise SqsStoreError(
                "IndexedQueue._messages can only be emptied",
                where=f"queue {getattr(self, '_name', '?')}",
                hint="send messages with SQSBackend.send_message or Queue.add_message",
            )
        if hasattr(self, "_issuer"):
            self.purge()

    @property
    def messages(self) -> list[sqs_models.Message]:  # type: ignore[override]
        """Messages ready to be received, in delivery order (O(n); inspection only)."""
        with self._lock:
            self._advance(_now_ms())
            return [entry.payload for entry in self._index.ready_entries()]

    @property
    def pending_messages(self) -> set[sqs_models.Message]:  # type: ignore[override]
        """Messages in flight (O(n); inspection only)."""
        with self._lock:
            self._advance(_now_ms())
            return {entry.payload for entry in self._index.in_flight_entries()}

    @property
    def pending_message_groups(self) -> set[str]:  # type: ignore[override]
        """FIFO groups with a message in flight (O(n); inspection only)."""
        return {message.group_id for message in self.pending_messages if message.group_id is not None}

    @property
    def approximate_number_of_messages(self) -> int:  # type: ignore[override]
        """ApproximateNumberOfMessages, from a live counter."""
        with self._lock:
            self._advance(_now_ms())
            return self._index.ready

    @property
    def approximate_number_of_messages_not_visible(self) -> int:  # type: ignore[override]
        """ApproximateNumberOfMessagesNotVisible (in flight), from a live counter."""
        with self._lock:
            self._advance(_now_ms())
            return self._index.in_flight

    @property
    def approximate_number_of_messages_delayed(self) -> int:  # type: ignore[override]
        """ApproximateNumberOfMessagesDelayed, from a live counter."""
        with self._lock:
            self._advance(_now_ms())
            return self._index.delayed

    @property
    def attributes(self) -> dict[str, Any]:  # type: ignore[override]
        """moto's Queue.attributes, with the three counts read once and no per-call name mangling.

        moto converts every attribute name with camelcase_to_underscores on each call (most of
        a SendMessage's time); the output is the same dict.
        """
        with self._lock:
            self._advance(_now_ms())
            counts = {
                "ApproximateNumberOfMessages": self._index.ready,
                "ApproximateNumberOfMessagesNotVisible": self._index.in_flight,
                "ApproximateNumberOfMessagesDelayed": self._index.delayed,
            }
        result: dict[str, Any] = {}
        for attribute in self.BASE_ATTRIBUTES:
            result[attribute] = counts[attribute] if attribute in counts else getattr(self, _FIELD[attribute])
        if self.fifo_queue:
            for attribute in self.FIFO_ATTRIBUTES:
                result[attribute] = getattr(self, _FIELD[attribute])
        if self.kms_master_key_id:
            for attribute in self.KMS_ATTRIBUTES:
                result[attribute] = getattr(self, _FIELD[attribute])
        if self.policy:
            result["Policy"] = self.policy
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy)
        for key, value in result.items():
            if isinstance(value, bool):
                result[key] = str(value).lower()
        return result

    # -- operations ---------------------------------------------------------------------------

    def add_message(self, message: sqs_models.Message) -> None:
        """Store a sent (or redriven) message: FIFO dedup, sequence number, then index it."""
        with self._lock:
            now = _now_ms()
            redriven = message.approximate_receive_count > 0
            if self.fifo_queue and not redriven and self._is_duplicate(message, now):
                return
            entry = self._index.add(
                message,
                group_id=message.group_id,
                sent_at_ms=message.sent_timestamp if message.sent_timestamp is not None else now,
                delayed_until_ms=message.delayed_until,
                now_ms=now,
                receive_count=message.approximate_receive_count,
                receipt_handles=tuple(message.all_receipt_handles) if redriven else (),
            )
            if self.fifo_queue and not redriven:
                message.sequence_number = str(_SEQUENCE_BASE + entry.seq)
            self._notify_change()
        self._run_moto_event_source_mappings()

    def receive(
        self, max_messages: int, visibility_timeout: int, wait_seconds: float = 0
    ) -> list[sqs_models.Message]:
        """Receive up to ``max_messages``; long-poll up to ``wait_seconds`` for the first one.

        Returns snapshots (shallow copies) of the received messages, so a later receive of the
        same message does not change what this caller holds. Messages over the redrive policy's
        ``maxReceiveCount`` move to the dead-letter queue on the way, as in SQS and moto.
        """
        deadline = time.monotonic() + wait_seconds
        visibility_ms = int(visibility_timeout or 0) * 1000
        while True:
            with self._lock:
                now = _now_ms()
                result = self._index.receive(
                    max_messages,
                    now_ms=now,
                    visible_at_ms=now + visibility_ms,
                    retention_ms=self._retention_ms(),
                    max_receive_count=self._max_receive_count(),
                    issue_handle=self._issuer.issue,
                )
                received = [self._record_receive(entry) for entry in result.delivered]
                if result.dead_lettered or result.expired:
                    self._notify_change()
                seen_version = self._version
                next_due_ms = self._index.next_due_ms()
            if result.dead_lettered:
                self._redrive([entry.payload for entry in result.dead_lettered])
            if received or wait_seconds <= 0:
                return received
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            if next_due_ms is not None:
                remaining = min(remaining, max((next_due_ms - now) / 1000, _SHORTEST_WAIT_S))
            self._wait_for_change(seen_version, remaining)

    def delete_message(self, receipt_handle: str) -> None:
        """Delete by any receipt handle the message was issued; gone messages delete quietly."""
        with self._lock:
            if self._delete_locked(receipt_handle):
                return
        raise ReceiptHandleIsInvalid()

    def delete_many(self, receipt_handles: Iterable[str]) -> list[str]:
        """Delete several messages under one lock; returns the handles that are invalid."""
        invalid = []
        with self._lock:
            for handle in receipt_handles:
                if not self._delete_locked(handle):
                    invalid.append(handle)
        return invalid

    def change_visibility(self, receipt_handle: str, visibility_timeout: int) -> None:
        """Set an in-flight message's visibility timeout from now (0: visible again now)."""
        with self._lock:
            now = _now_ms()
            self._advance(now)
            entry = self._index.find(receipt_handle)
            if entry is None:
                raise ReceiptHandleIsInvalid()
            visible_at = now + int(visibility_timeout) * 1000
            if visible_at - entry.payload.sent_timestamp > _MAX_TOTAL_VISIBILITY_MS:
                raise InvalidParameterValue(
                    f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. "
                    "Reason: Total VisibilityTimeout for the message is beyond the limit "
                    "[43200 seconds]"
                )
            try:
                self._index.change_visibility(entry, visible_at, now)
            except NotInFlight:
                raise MessageNotInflight() from None
            entry.payload.visible_at = visible_at
            self._notify_change()

    def purge(self) -> None:
        """Drop every message (PurgeQueue)."""
        with self._lock:
            self._index.purge()
            self._notify_change()

    def wait_for_messages(self, timeout: int) -> None:
        """Block up to ``timeout`` seconds until a message is ready (moto's hook, kept working)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._advance(_now_ms())
                if self._index.ready:
                    return
                seen_version = self._version
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._wait_for_change(seen_version, min(remaining, 1.0))

    # -- internals ----------------------------------------------------------------------------

    def _advance(self, now: float) -> None:
        if self._index.advance(now, self._retention_ms()):
            self._notify_change()

    def _retention_ms(self) -> float:
        return int(self.message_retention_period) * 1000

    def _max_receive_count(self) -> int | None:
        if self.dead_letter_queue is None or not self.redrive_policy:
            return None
        return int(self.redrive_policy["maxReceiveCount"])

    def _is_duplicate(self, message: sqs_models.Message, now: float) -> bool:
        if message.deduplication_id is None:
            return False
        key: Any = message.deduplication_id
        if getattr(self, "deduplication_scope", "queue") == "messageGroup":
            key = (message.group_id, message.deduplication_id)
        return self._index.is_duplicate(key, now)

    def _record_receive(self, entry: Any) -> sqs_models.Message:
        message = entry.payload
        message.approximate_receive_count = entry.receive_count
        if not message.approximate_first_receive_timestamp:
            message.approximate_first_receive_timestamp = int(entry.first_receive_ms)
        if message.receipt_handle is not None:
            message._old_receipt_handles.append(message.receipt_handle)
        message.receipt_handle = entry.receipt_handle
        message.visible_at = entry.due_ms
        return copy.copy(message)

    def _delete_locked(self, receipt_handle: str) -> bool:
        entry = self._index.delete(receipt_handle)
        if entry is not None:
            # The index drops a deleted entry from its heaps lazily; let the message go now,
            # so memory does not hold a visibility timeout's worth of deleted messages.
            entry.payload = None
            self._notify_change()
            return True
        # A handle we issued whose message is gone: SQS treats the delete as done.
        return self._issuer.is_ours(receipt_handle)

    def _notify_change(self) -> None:
        self._version += 1
        self._changed.notify_all()

    def _wait_for_change(self, seen_version: int, timeout: float) -> None:
        with _backend_lock_released():
            with self._changed:
                self._changed.wait_for(lambda: self._version != seen_version, timeout)

    def _redrive(self, messages: list[sqs_models.Message]) -> None:
        # Outside our lock: the DLQ takes its own, and two queues may redrive into each other.
        dead_letter_queue = self.dead_letter_queue
        if isinstance(dead_letter_queue, IndexedQueue):
            for message in messages:
                dead_letter_queue.add_message(message)
            return
        # A plain moto queue (created before the store was installed) has no lock of its own.
        with backend_lock:
            for message in messages:
                dead_letter_queue.add_message(message)

    def _run_moto_event_source_mappings(self) -> None:
        # moto's own SQS->Lambda delivery, as in moto's Queue.add_message (the sandbox adapter
        # neutralizes it by emptying lambda_event_source_mappings; kept so behaviour matches).
        for arn, esm in self.lambda_event_source_mappings.items():
            if not esm.enabled:
                continue
            backend = sqs_models.sqs_backends[self.account_id][self.region]
            messages = backend.receive_message(
                self.name, esm.batch_size, self.receive_message_wait_time_seconds, self.visibility_timeout
            )
            from moto.awslambda.utils import get_backend

            result = get_backend(self.account_id, self.region).send_sqs_batch(arn, messages, self.queue_arn)
            for message in messages:
                if result:
                    backend.delete_message(self.name, message.receipt_handle)
                else:
                    backend.change_message_visibility(self.name, message.receipt_handle, visibility_timeout=0)


# ---------------------------------------------------------------------------- backend methods

_ORIGINAL_BACKEND_METHODS: dict[str, Callable[..., Any]] = {
    name: getattr(getattr(sqs_models.SQSBackend, name), "_moto_original", getattr(sqs_models.SQSBackend, name))
    for name in (
        "receive_message",
        "change_message_visibility",
        "purge_queue",
        "is_message_valid_based_on_retention_period",
    )
}


def _receive_message(
    self: sqs_models.SQSBackend,
    queue_name: str,
    count: int,
    wait_seconds_timeout: int,
    visibility_timeout: int,
    message_attribute_names: list[str] | None = None,
) -> list[sqs_models.Message]:
    queue = self.get_queue(queue_name)
    if not isinstance(queue, IndexedQueue):
        return _ORIGINAL_BACKEND_METHODS["receive_message"](
            self, queue_name, count, wait_seconds_timeout, visibility_timeout, message_attribute_names
        )
    received = queue.receive(count, visibility_timeout, wait_seconds=wait_seconds_timeout)
    names = message_attribute_names or []
    for message in received:  # snapshots: filtering them leaves the stored message whole
        sqs_models._filter_message_attributes(message, names)
    return received


def _change_message_visibility(
    self: sqs_models.SQSBackend, queue_name: str, receipt_handle: str, visibility_timeout: int
) -> None:
    queue = self.get_queue(queue_name)
    if not isinstance(queue, IndexedQueue):
        return _ORIGINAL_BACKEND_METHODS["change_message_visibility"](
            self, queue_name, receipt_handle, visibility_timeout
        )
    queue.change_visibility(receipt_handle, visibility_timeout)
    return None


def _purge_queue(self: sqs_models.SQSBackend, queue_name: str) -> None:
    queue = self.get_queue(queue_name)
    if not isinstance(queue, IndexedQueue):
        return _ORIGINAL_BACKEND_METHODS["purge_queue"](self, queue_name)
    now = sqs_models.unix_time()
    if (
        sqs_models.sqs_enforce_strict_queue_purge_behaviour()
        and queue.last_purged_at is not None
        and now - queue.last_purged_at < 60
    ):
        raise sqs_models.PurgeQueueInProgress(queue.name)
    queue.last_purged_at = now
    queue.purge()
    return None


def _is_message_valid_based_on_retention_period(
    self: sqs_models.SQSBackend, queue_name: str, message: sqs_models.Message
) -> bool:
    # moto reads the period through get_queue_attributes, which counted every message three
    # times; the attribute itself is enough (same answer for every queue type).
    queue = self.get_queue(queue_name)
    retain_until = int(queue.message_retention_period) + message.sent_timestamp / 1000
    return retain_until > sqs_models.unix_time()


_BACKEND_OVERRIDES: dict[str, Callable[..., Any]] = {
    "receive_message": _receive_message,
    "change_message_visibility": _change_message_visibility,
    "purge_queue": _purge_queue,
    "is_message_valid_based_on_retention_period": _is_message_valid_based_on_retention_period,
}

for _name, _override in _BACKEND_OVERRIDES.items():
    _override._moto_original = _ORIGINAL_BACKEND_METHODS[_name]  # type: ignore[attr-defined]

_install_lock = threading.Lock()


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def install_sqs_store() -> None:
    """Make every SQS queue created from now on an IndexedQueue. Idempotent.

    Raises SqsStoreCompatibilityError when moto is not the pinned version.
    """
    check_moto_compatibility()
    with _install_lock:
        sqs_models.Queue = IndexedQueue
        for name, override in _BACKEND_OVERRIDES.items():
            setattr(sqs_models.SQSBackend, name, override)
        # moto's BaseModel.__new__ keeps every instance in ``instances_tracked`` forever, so
        # every message ever sent (and every receive snapshot) would stay in memory after
        # deletion: ~1.2 KB per processed message, measured. Messages are never looked up
        # there, so they are created untracked while the store is installed.
        sqs_models.Message.__new__ = _untracked_new


def uninstall_sqs_store() -> None:
    """Restore moto's own Queue class and backend methods. Idempotent.

    Queues created while the store was installed stay IndexedQueue objects, and moto's own
    methods cannot serve them: reset the SQS backends (``/moto-api/reset``) after uninstalling.
    """
    with _install_lock:
        sqs_models.Queue = _ORIGINAL_QUEUE
        for name, original in _ORIGINAL_BACKEND_METHODS.items():
            setattr(sqs_models.SQSBackend, name, original)
        if "__new__" in vars(sqs_models.Message):
            del sqs_models.Message.__new__


def is_sqs_store_installed() -> bool:
    """True while new queues are created as IndexedQueue."""
    return sqs_models.Queue is IndexedQueue


@contextmanager
def sqs_store_installed() -> Iterator[None]:
    """Install the store for the duration of a block (tests, benchmarks)."""
    install_sqs_store()
    try:
        yield
    finally:
        uninstall_sqs_store()


# ---------------------------------------------------------------------------- fast path


def find_store_queue(queue_arn: str) -> IndexedQueue:
    """The store queue behind ``queue_arn`` (arn:aws:sqs:<region>:<account>:<name>)."""
    parts = queue_arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise SqsStoreError(f"{queue_arn!r} is not an SQS queue ARN", where="queue_arn")
    region, account_id, name = parts[3], parts[4], parts[5]
    queue = sqs_models.sqs_backends[account_id][region].queues.get(name)
    if queue is None:
        raise SqsStoreError("no such queue in the sandbox", where=queue_arn, hint="create it first")
    return _require_store_queue(queue)


def receive_batch(
    queue: Any, max_messages: int, visibility_timeout: int | None = None, wait_seconds: float = 0
) -> list[sqs_models.Message]:
    """Receive up to ``max_messages`` from a store queue, in process.

    Same semantics as ReceiveMessage (visibility timeout defaulting to the queue's, FIFO group
    gating, redrive to the DLQ, optional long poll of ``wait_seconds``), minus request parsing
    and attribute filtering: every message attribute is included. Unlike the API, more than 10
    messages may be asked for. Returns snapshots of moto ``Message`` objects; their
    ``receipt_handle`` is the one issued by this receive.
    """
    store_queue = _require_store_queue(queue)
    if max_messages < 1:
        raise SqsStoreError(
            f"max_messages must be at least 1 (got {max_messages})", where=f"queue {store_queue.name}"
        )
    timeout = store_queue.visibility_timeout if visibility_timeout is None else visibility_timeout
    return store_queue.receive(max_messages, timeout, wait_seconds=wait_seconds)


def delete_batch(queue: Any, receipt_handles: Iterable[str]) -> list[str]:
    """Delete messages by receipt handle under one lock; returns the handles that are invalid.

    A handle of a message that is already gone counts as deleted, as in DeleteMessageBatch.
    """
    return _require_store_queue(queue).delete_many(receipt_handles)


def change_visibility(queue: Any, receipt_handle: str, timeout: int) -> None:
    """ChangeMessageVisibility in process.

    Raises moto's ReceiptHandleIsInvalid for an unknown handle and MessageNotInflight when the
    message is not in flight any more (its visibility timeout already expired).
    """
    _require_store_queue(queue).change_visibility(receipt_handle, timeout)


def _require_store_queue(queue: Any) -> IndexedQueue:
    if not isinstance(queue, IndexedQueue):
        raise SqsStoreError(
            f"queue {getattr(queue, 'name', queue)!r} is a plain moto queue, not a store queue",
            where="sqs_store fast path",
            hint="call install_sqs_store() before the queue is created",
        )
    return queue

"""Indexed SQS queue state whose cost per message does not grow with queue depth.

Pure data structures: no moto, no clock, no locks. Every method takes ``now_ms`` (epoch
milliseconds) as a value; the moto adapter (``moto_adapter/sqs_store.py``) supplies moto's clock,
the lock and the conversion to and from moto ``Message`` objects.

Where each message lives, by state:

- READY: in a :class:`ReadyLine` (one for a standard queue, one per message group for FIFO).
- IN_FLIGHT: in the invisible-until min-heap, reachable by its receipt handles.
- DELAYED: in the delayed-until min-heap.
- GONE: nowhere that matters; stale references in lines and heaps are skipped lazily.

Heaps and lines use lazy deletion: removing a message only flips its state (and bumps its
``token``); the stale heap or line item is dropped when it reaches the front. Each item is pushed
once per state change and popped once, so the work is amortized O(1) (lines) or O(log n) (heaps)
per message operation, and every count is a live counter.

Ordering follows moto (and, in practice, SQS): ready messages come out in arrival order, a message
that becomes visible again goes back to its original place, and FIFO groups are merged in arrival
order of their head messages.
"""

from __future__ import annotations

import heapq
import hmac
import secrets
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

READY = 0
IN_FLIGHT = 1
DELAYED = 2
GONE = 3

#: SQS FIFO deduplication interval.
DEDUPLICATION_WINDOW_MS = 300_000

# Heaps are rebuilt when stale items outnumber live ones by this factor (plus a floor), which
# keeps memory proportional to live messages without making any one operation expensive.
_COMPACT_FACTOR = 2
_COMPACT_FLOOR = 256


class Entry:
    """One message's place in the index. ``payload`` is opaque here (the adapter's moto Message)."""

    __slots__ = (
        "payload",
        "seq",
        "group_id",
        "sent_at_ms",
        "state",
        "due_ms",
        "token",
        "receive_count",
        "first_receive_ms",
        "receipt_handles",
    )

    def __init__(self, payload: Any, seq: int, group_id: str | None, sent_at_ms: float):
        self.payload = payload
        self.seq = seq
        self.group_id = group_id
        self.sent_at_ms = sent_at_ms
        self.state = READY
        self.due_ms = 0.0
        self.token = 0
        self.receive_count = 0
        self.first_receive_ms: float | None = None
        # Every handle ever issued for this message stays valid until it is gone, as in moto.
        self.receipt_handles: list[str] = []

    @property
    def receipt_handle(self) -> str | None:
        """The most recently issued receipt handle, or None before the first receive."""
        return self.receipt_handles[-1] if self.receipt_handles else None


class ReadyLine:
    """READY entries in arrival (``seq``) order.

    New arrivals come in increasing ``seq`` and go to a deque (O(1)). Entries that return
    (visibility expired, delay over) may be older than the newest arrival and go to a small heap;
    reads merge the two by ``seq``. Entries that are no longer READY are skipped on read.
    """

    __slots__ = ("_fresh", "_returned")

    def __init__(self) -> None:
        self._fresh: deque[Entry] = deque()
        self._returned: list[tuple[int, Entry]] = []

    def push_new(self, entry: Entry) -> None:
        """Append an entry whose ``seq`` is larger than any entry pushed before."""
        self._fresh.append(entry)

    def push_returned(self, entry: Entry) -> None:
        """Put back an entry that was in flight or delayed, at its place in arrival order."""
        heapq.heappush(self._returned, (entry.seq, entry))

    def peek(self) -> Entry | None:
        """The next READY entry without removing it; drops stale items on the way."""
        fresh, returned = self._fresh, self._returned
        while fresh and fresh[0].state != READY:
            fresh.popleft()
        while returned and returned[0][1].state != READY:
            heapq.heappop(returned)
        if not fresh:
            return returned[0][1] if returned else None
        if returned and returned[0][0] < fresh[0].seq:
            return returned[0][1]
        return fresh[0]

    def pop(self) -> Entry | None:
        """Remove and return the next READY entry."""
        head = self.peek()
        if head is None:
            return None
        if self._fresh and self._fresh[0] is head:
            self._fresh.popleft()
        else:
            heapq.heappop(self._returned)
        return head

    def entries(self) -> Iterator[Entry]:
        """READY entries in arrival order (O(n log n); for inspection, not for the hot path)."""
        live = [e for e in self._fresh if e.state == READY]
        live += [e for _, e in self._returned if e.state == READY]
        return iter(sorted(live, key=lambda e: e.seq))


@dataclass
class _Group:
    line: ReadyLine = field(default_factory=ReadyLine)
    in_flight: int = 0


@dataclass
class ReceiveResult:
    """What one receive did: entries delivered (now in flight), moved out for the DLQ, expired."""

    delivered: list[Entry]
    dead_lettered: list[Entry]
    expired: int


class ReceiptHandleIssuer:
    """Issues receipt handles that can be recognized later without remembering them.

    A handle is ``<random letters><mac>`` where the MAC binds it to its queue. A handle whose MAC
    checks out but that maps to no message belongs to a message that is gone (deleted, expired,
    purged), so deleting it again succeeds, as in SQS, without an ever-growing set of deleted
    handles. A handle from another queue, or made up, fails the check.
    """

    _MAC_CHARS = 24

    def __init__(self, queue_key: str, random_letters: Callable[[int], str], secret: bytes | None = None):
        self._key = (secret or secrets.token_bytes(32)) + queue_key.encode()
        self._random_letters = random_letters

    def issue(self) -> str:
        """A fresh handle for this queue."""
        body = self._random_letters(40)
        return body + self._mac(body)

    def is_ours(self, handle: str) -> bool:
        """True when this queue issued ``handle`` at some point."""
        if not isinstance(handle, str) or len(handle) <= self._MAC_CHARS:
            return False
        body, mac = handle[: -self._MAC_CHARS], handle[-self._MAC_CHARS :]
        return hmac.compare_digest(mac, self._mac(body))

    def _mac(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), sha256).hexdigest()[: self._MAC_CHARS]


class NotInFlight(Exception):
    """change_visibility on a message that is not in flight (SQS MessageNotInflight)."""


class QueueIndex:
    """All of one queue's messages, indexed by state. Not thread-safe: the caller locks."""

    def __init__(self, *, fifo: bool):
        self.fifo = fifo
        self._seq = 0
        self._line = ReadyLine()  # standard queues
        self._groups: dict[str, _Group] = {}  # FIFO queues
        self._eligible: list[tuple[int, str]] = []  # FIFO: (head seq, group) of servable groups
        self._invisible: list[tuple[float, int, int, Entry]] = []  # (visible_at, seq, token, e)
        self._delayed: list[tuple[float, int, int, Entry]] = []  # (delayed_until, seq, token, e)
        self._by_age: deque[Entry] = deque()  # arrival order, for lazy retention expiry
        self._handles: dict[str, Entry] = {}
        self._dedup_seen: dict[Any, float] = {}
        self._dedup_order: deque[tuple[float, Any]] = deque()
        self.ready = 0
        self.in_flight = 0
        self.delayed = 0

    # ------------------------------------------------------------------ arrivals

    def is_duplicate(self, dedup_key: Any, now_ms: float) -> bool:
        """True when ``dedup_key`` was accepted within the last 5 minutes; else remember it.

        SQS keeps the interval from the first accepted send, whether or not that message was
        deleted since, so this is a separate time-ordered map rather than a scan of messages.
        """
        order, seen = self._dedup_order, self._dedup_seen
        while order and now_ms - order[0][0] >= DEDUPLICATION_WINDOW_MS:
            sent, key = order.popleft()
            if seen.get(key) == sent:
                del seen[key]
        if dedup_key in seen:
            return True
        seen[dedup_key] = now_ms
        order.append((now_ms, dedup_key))
        return False

    def add(
        self,
        payload: Any,
        *,
        group_id: str | None,
        sent_at_ms: float,
        delayed_until_ms: float,
        now_ms: float,
        receive_count: int = 0,
        receipt_handles: tuple[str | None, ...] = (),
    ) -> Entry:
        """Index a new message. ``receipt_handles`` carries handles of a redriven message."""
        self._seq += 1
        entry = Entry(payload, self._seq, (group_id or "") if self.fifo else None, sent_at_ms)
        entry.receive_count = receive_count
        for handle in receipt_handles:
            if handle:
                entry.receipt_handles.append(handle)
                self._handles[handle] = entry
        self._by_age.append(entry)
        if delayed_until_ms > now_ms:
            entry.state = DELAYED
            entry.due_ms = delayed_until_ms
            self.delayed += 1
            self._push(self._delayed, entry)
        else:
            entry.state = READY
            self.ready += 1
            if self.fifo:
                group = self._group(entry.group_id)
                group.line.push_new(entry)
                self._refresh_group(entry.group_id, group)
            else:
                self._line.push_new(entry)
        return entry

    # ------------------------------------------------------------------ time

    def advance(self, now_ms: float, retention_ms: float) -> int:
        """Apply every due transition: delays over, visibility expired, retention expired.

        Returns how many messages expired. Visibility follows moto: visible once
        ``now > visible_at``; a delay is over once ``now >= delayed_until``.
        """
        delayed = self._delayed
        while delayed and delayed[0][0] <= now_ms:
            _, _, token, entry = heapq.heappop(delayed)
            if entry.state == DELAYED and entry.token == token:
                self.delayed -= 1
                self._make_ready(entry)
        invisible = self._invisible
        while invisible and invisible[0][0] < now_ms:
            _, _, token, entry = heapq.heappop(invisible)
            if entry.state == IN_FLIGHT and entry.token == token:
                self._leave_flight(entry)
                self._make_ready(entry)
        expired = 0
        by_age = self._by_age
        while by_age:
            oldest = by_age[0]
            if oldest.state != GONE and oldest.sent_at_ms + retention_ms > now_ms:
                break
            by_age.popleft()
            if oldest.state != GONE:
                self.remove(oldest)
                expired += 1
        return expired

    def next_due_ms(self) -> float | None:
        """The earliest time a delayed or in-flight message may become ready (may be stale)."""
        candidates = [h[0][0] for h in (self._delayed, self._invisible) if h]
        return min(candidates) if candidates else None

    # ------------------------------------------------------------------ receive

    def receive(
        self,
        max_count: int,
        *,
        now_ms: float,
        visible_at_ms: float,
        retention_ms: float,
        max_receive_count: int | None,
        issue_handle: Callable[[], str],
    ) -> ReceiveResult:
        """Take up to ``max_count`` ready messages in order and put them in flight.

        A message that was already received ``max_receive_count`` times is removed and returned
        in ``dead_lettered`` instead (SQS redrives on receive). ``visible_at_ms <= now_ms`` (a
        zero visibility timeout) leaves delivered messages ready again after this call.
        """
        expired = self.advance(now_ms, retention_ms)
        delivered: list[Entry] = []
        dead: list[Entry] = []
        serving: set[str] = set()
        while len(delivered) < max_count:
            entry = self._next_fifo_candidate(serving) if self.fifo else self._line.pop()
            if entry is None:
                break
            self.ready -= 1
            if entry.sent_at_ms + retention_ms <= now_ms:
                self._discard_popped(entry)
                expired += 1
                continue
            if max_receive_count is not None and entry.receive_count >= max_receive_count:
                self._discard_popped(entry)
                dead.append(entry)
                continue
            entry.receive_count += 1
            if entry.first_receive_ms is None:
                entry.first_receive_ms = now_ms
            handle = issue_handle()
            entry.receipt_handles.append(handle)
            self._handles[handle] = entry
            entry.state = IN_FLIGHT
            entry.token += 1
            entry.due_ms = visible_at_ms
            self.in_flight += 1
            self._enter_group_flight(entry)
            delivered.append(entry)
        for entry in delivered:
            if visible_at_ms <= now_ms:
                self._leave_flight(entry)
                self._make_ready(entry)
            else:
                self._push(self._invisible, entry)
        return ReceiveResult(delivered, dead, expired)

    def _next_fifo_candidate(self, serving: set[str]) -> Entry | None:
        eligible = self._eligible
        while eligible:
            seq, group_id = heapq.heappop(eligible)
            group = self._groups.get(group_id)
            if group is None:
                continue
            head = group.line.peek()
            if head is None:
                if group.in_flight == 0:
                    del self._groups[group_id]
                continue
            if group.in_flight and group_id not in serving:
                continue  # blocked; _leave_flight re-lists the group when it unblocks
            if head.seq != seq:
                heapq.heappush(eligible, (head.seq, group_id))  # head moved; re-list it
                continue
            group.line.pop()
            # Within one receive, a group already being served may give more messages, as in
            # SQS and moto; across receives, a group with messages in flight is not served.
            serving.add(group_id)
            following = group.line.peek()
            if following is not None:
                heapq.heappush(eligible, (following.seq, group_id))
            return head
        return None

    def _discard_popped(self, entry: Entry) -> None:
        """Drop an entry already taken off its line (expired or redriven during a receive)."""
        entry.state = GONE
        entry.token += 1
        for handle in entry.receipt_handles:
            self._handles.pop(handle, None)
        self._forget_group_if_empty(entry.group_id)

    # ------------------------------------------------------------------ handles

    def find(self, receipt_handle: str) -> Entry | None:
        """The live message that was issued ``receipt_handle`` (current or earlier), if any."""
        return self._handles.get(receipt_handle)

    def delete(self, receipt_handle: str) -> Entry | None:
        """Remove the message behind ``receipt_handle``; None when no live message has it."""
        entry = self._handles.get(receipt_handle)
        if entry is not None:
            self.remove(entry)
        return entry

    def change_visibility(self, entry: Entry, visible_at_ms: float, now_ms: float) -> None:
        """Set an in-flight message's visibility deadline; at or before now, it is ready again.

        Raises NotInFlight for a message that is ready, delayed or gone (SQS answers
        MessageNotInflight rather than hiding a message nobody received).
        """
        if entry.state != IN_FLIGHT:
            raise NotInFlight(entry.seq)
        if visible_at_ms <= now_ms:
            self._leave_flight(entry)
            self._make_ready(entry)
            return
        entry.token += 1
        entry.due_ms = visible_at_ms
        self._push(self._invisible, entry)

    # ------------------------------------------------------------------ removal

    def remove(self, entry: Entry) -> None:
        """Take a message out for good (delete, expiry, redrive). Counters follow its state."""
        state = entry.state
        if state == GONE:
            return
        if state == READY:
            self.ready -= 1
        elif state == DELAYED:
            self.delayed -= 1
        else:
            self._leave_flight(entry)
        entry.state = GONE
        entry.token += 1
        for handle in entry.receipt_handles:
            self._handles.pop(handle, None)
        self._forget_group_if_empty(entry.group_id)

    def purge(self) -> None:
        """Drop every message; deduplication memory is kept, as in SQS."""
        for entry in self._by_age:
            entry.state = GONE
        self._line = ReadyLine()
        self._groups.clear()
        self._eligible.clear()
        self._invisible.clear()
        self._delayed.clear()
        self._by_age.clear()
        self._handles.clear()
        self.ready = self.in_flight = self.delayed = 0

    # ------------------------------------------------------------------ inspection

    def __len__(self) -> int:
        return self.ready + self.in_flight + self.delayed

    def live_entries(self) -> list[Entry]:
        """Every message not gone, in arrival order (O(n); for inspection only)."""
        return [e for e in self._by_age if e.state != GONE]

    def ready_entries(self) -> list[Entry]:
        """Ready messages in delivery order, FIFO groups merged (O(n log n); inspection only)."""
        if not self.fifo:
            return list(self._line.entries())
        merged = [e for g in self._groups.values() for e in g.line.entries()]
        return sorted(merged, key=lambda e: e.seq)

    def in_flight_entries(self) -> list[Entry]:
        """Messages in flight (O(n); inspection only)."""
        return [e for e in self._by_age if e.state == IN_FLIGHT]

    # ------------------------------------------------------------------ internals

    def _forget_group_if_empty(self, group_id: str | None) -> None:
        if not self.fifo:
            return
        group = self._groups.get(group_id or "")
        if group is not None and group.in_flight == 0 and group.line.peek() is None:
            del self._groups[group_id or ""]

    def _group(self, group_id: str | None) -> _Group:
        key = group_id or ""
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group()
        return group

    def _refresh_group(self, group_id: str | None, group: _Group) -> None:
        if group.in_flight:
            return
        head = group.line.peek()
        if head is not None:
            heapq.heappush(self._eligible, (head.seq, group_id or ""))
            if len(self._eligible) > _COMPACT_FACTOR * len(self._groups) + _COMPACT_FLOOR:
                self._rebuild_eligible()

    def _rebuild_eligible(self) -> None:
        rebuilt = []
        for group_id, group in self._groups.items():
            head = group.line.peek()
            if head is not None and group.in_flight == 0:
                rebuilt.append((head.seq, group_id))
        heapq.heapify(rebuilt)
        self._eligible = rebuilt

    def _make_ready(self, entry: Entry) -> None:
        entry.state = READY
        entry.token += 1
        self.ready += 1
        if self.fifo:
            group = self._group(entry.group_id)
            group.line.push_returned(entry)
            self._refresh_group(entry.group_id, group)
        else:
            self._line.push_returned(entry)

    def _enter_group_flight(self, entry: Entry) -> None:
        if self.fifo:
            self._group(entry.group_id).in_flight += 1

    def _leave_flight(self, entry: Entry) -> None:
        self.in_flight -= 1
        if self.fifo:
            group = self._group(entry.group_id)
            group.in_flight -= 1
            self._refresh_group(entry.group_id, group)

    def _push(self, heap: list[tuple[float, int, int, Entry]], entry: Entry) -> None:
        heapq.heappush(heap, (entry.due_ms, entry.seq, entry.token, entry))
        live = self.in_flight if heap is self._invisible else self.delayed
        if len(heap) > _COMPACT_FACTOR * live + _COMPACT_FLOOR:
            state = IN_FLIGHT if heap is self._invisible else DELAYED
            heap[:] = [item for item in heap if item[3].state == state and item[3].token == item[2]]
            heapq.heapify(heap)

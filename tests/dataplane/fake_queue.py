"""An in-memory queue with SQS's visibility, receive-count and redrive rules, on a FakeClock.

Only for poller tests: the real store lives in ``sandbox``; its conformance suite proves it
behaves like this too.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field

from lambda_processor.clock import FakeClock
from lambda_processor.sqs_semantics import ReceivedMessage

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders"


@dataclass
class _Message:
    message_id: str
    body: str
    group: str | None
    sent_at: float
    receive_count: int = 0
    first_receive: float | None = None
    visible_at: float = 0.0
    receipt: str | None = None


@dataclass
class FakeQueue:
    clock: FakeClock
    visibility_timeout: int = 30
    max_receive_count: int | None = None
    messages: list[_Message] = field(default_factory=list)
    dlq: list[_Message] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    receipts: itertools.count = field(default_factory=itertools.count)

    def send(self, body: str, group: str | None = None) -> str:
        message_id = f"m{len(self.messages) + len(self.dlq) + len(self.deleted):04d}"
        self.messages.append(_Message(message_id, body, group, self.clock.now()))
        return message_id

    # -- QueuePort -----------------------------------------------------------------------

    def receive(self, queue_arn: str, max_messages: int, wait_seconds: float) -> list[ReceivedMessage]:
        now = self.clock.now()
        busy_groups = {m.group for m in self.messages if m.group is not None and m.visible_at > now}
        taken: list[ReceivedMessage] = []
        for message in list(self.messages):
            if len(taken) >= max_messages:
                break
            if message.visible_at > now or (message.group is not None and message.group in busy_groups
                                            and message.group not in {t.message_group_id for t in taken}):
                continue
            if self.max_receive_count is not None and message.receive_count >= self.max_receive_count:
                self.messages.remove(message)
                self.dlq.append(message)
                continue
            message.receive_count += 1
            message.first_receive = message.first_receive or now
            message.visible_at = now + self.visibility_timeout
            message.receipt = f"rh-{next(self.receipts)}"
            attributes = {
                "ApproximateReceiveCount": str(message.receive_count),
                "SentTimestamp": str(int(message.sent_at * 1000)),
                "SenderId": "AIDAEXAMPLE",
                "ApproximateFirstReceiveTimestamp": str(int(message.first_receive * 1000)),
            }
            if message.group is not None:
                attributes["MessageGroupId"] = message.group
            taken.append(ReceivedMessage(message.message_id, message.receipt, message.body,
                                         hashlib.md5(message.body.encode()).hexdigest(), attributes))
        if not taken and wait_seconds:
            self.clock.advance(wait_seconds)
        return taken

    def delete(self, queue_arn: str, receipt_handles) -> None:
        handles = set(receipt_handles)
        for message in list(self.messages):
            if message.receipt in handles:
                self.messages.remove(message)
                self.deleted.append(message.message_id)

    def change_visibility(self, queue_arn: str, receipt_handle: str, timeout: int) -> None:
        for message in self.messages:
            if message.receipt == receipt_handle:
                message.visible_at = self.clock.now() + timeout

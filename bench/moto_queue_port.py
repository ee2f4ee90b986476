"""A ``QueuePort`` over moto's unmodified SQS queue, for the data-plane benchmark's baseline.

The runtime's own port (``sandbox.runtime_ports.StoreQueuePort``) only serves queues on the
constant-cost store. To run the same poller against moto 5.2.5's own ``Queue`` (what
``EmbeddedAws.start(sqs_store=False)`` creates), this port goes through moto's backend API,
exactly what an HTTP ReceiveMessage / DeleteMessageBatch / ChangeMessageVisibility ends up
calling, under the sandbox's ``backend_lock``.
"""

from __future__ import annotations

import time
from typing import Sequence

from lambda_processor.sandbox import backend_lock
from lambda_processor.sandbox.runtime_ports import received_message
from lambda_processor.sqs_semantics import ReceivedMessage

EMPTY_RETRY_SECONDS = 0.05  # how often an empty long poll looks again, with the lock released


class MotoQueuePort:
    """``QueuePort`` for a plain moto queue, through ``SQSBackend`` calls."""

    def __init__(self, backend: object, visibility_timeout: int):
        self._backend = backend
        self._visibility_timeout = visibility_timeout  # the HTTP API defaults to the queue's

    @staticmethod
    def _name(queue_arn: str) -> str:
        return queue_arn.rsplit(":", 1)[-1]

    def receive(self, queue_arn: str, max_messages: int, wait_seconds: float) -> list[ReceivedMessage]:
        """ReceiveMessage; the long poll waits outside the lock so deletes are not held up."""
        deadline = time.monotonic() + wait_seconds
        while True:
            with backend_lock:
                # moto returns deep copies carrying this receive's receipt handle.
                messages = self._backend.receive_message(
                    self._name(queue_arn), max_messages, 0, self._visibility_timeout, []
                )
                received = [received_message(m) for m in messages]
            if received or time.monotonic() >= deadline:
                return received
            time.sleep(EMPTY_RETRY_SECONDS)

    def delete(self, queue_arn: str, receipt_handles: Sequence[str]) -> None:
        """DeleteMessageBatch."""
        entries = [{"Id": str(i), "ReceiptHandle": handle} for i, handle in enumerate(receipt_handles)]
        with backend_lock:
            self._backend.delete_message_batch(self._name(queue_arn), entries)

    def change_visibility(self, queue_arn: str, receipt_handle: str, timeout: int) -> None:
        """ChangeMessageVisibility."""
        with backend_lock:
            self._backend.change_message_visibility(self._name(queue_arn), receipt_handle, timeout)

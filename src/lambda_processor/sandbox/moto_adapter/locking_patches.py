"""Waits inside moto requests that must not hold :data:`backend_lock`.

SQS long polling (``ReceiveMessage`` with ``WaitTimeSeconds``) waits in
``Queue.wait_for_messages`` for up to a second per loop. Holding the backend lock
there would stop every other request, including the ``SendMessage`` that would end
the wait. A store that replaces ``Queue`` must wait under ``backend_lock.suspended()``
the same way.
"""

from __future__ import annotations

import functools
from typing import Any

from .locking import backend_lock
from .patching import PatchSet, SignatureCheck

CHECKS = (SignatureCheck("moto.sqs.models:Queue.wait_for_messages", "self, timeout"),)


def install(patches: PatchSet) -> None:
    """Make moto's SQS long-poll wait release the backend lock."""
    from .patching import resolve

    queue_class = resolve("moto.sqs.models:Queue")  # moto's own, even under the SQS store
    original_wait = queue_class.wait_for_messages

    # wraps(): signature checks of others (the SQS store's) still see moto's signature.
    @functools.wraps(original_wait)
    def wait_for_messages(self: Any, timeout: int) -> None:
        with backend_lock.suspended():
            original_wait(self, timeout)

    patches.replace(queue_class, "wait_for_messages", wait_for_messages)

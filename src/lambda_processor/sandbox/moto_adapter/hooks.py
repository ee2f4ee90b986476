"""The callables the data plane plugs into the embedded AWS.

moto stores everything; these hooks are where the runtime takes over execution.
Rules for hook implementations (they run on moto's request threads):

* ``sns_publish`` and ``eventbridge_target`` are called while :data:`backend_lock` is
  held, from inside moto's Publish / PutEvents handling. They must only enqueue and
  return; running a handler there would deadlock when it calls back into the sandbox.
* ``invoke`` is called with the lock released for API ``Invoke`` (so a synchronous
  handler may call the sandbox). For ``Event`` invocations it must only enqueue.
  When moto itself starts an execution internally (S3 notifications, DynamoDB or
  Kinesis streams), ``invoke`` is called with ``invocation_type="Event"`` while the
  lock is held.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from .errors import SandboxError


class InvokeOutcome(NamedTuple):
    """What an ``invoke`` hook returns; a plain 4-tuple in this order is accepted too."""

    status: int
    payload: bytes
    function_error: str | None  # None, "Unhandled" or "Handled"
    log_result: str | None  # base64 of the last 4 KB of the log, for LogType=Tail


class InvokeRejected(SandboxError):
    """Raised by an ``invoke`` hook to answer with an AWS Lambda API error.

    ``error_type`` is AWS's exception name, e.g. ``TooManyRequestsException`` (429)
    for a throttled synchronous invoke, ``ResourceNotReadyException`` (502).
    """

    def __init__(self, status: int, error_type: str, message: str):
        self.status = status
        self.error_type = error_type
        super().__init__(message, where=error_type)


class InvokeHook(Protocol):
    def __call__(
        self,
        *,
        function_name: str,
        function_arn: str,
        payload: bytes,
        invocation_type: str,
        qualifier: str | None,
        client_context: str | None,
    ) -> tuple[int, bytes, str | None, str | None]:
        """Run (RequestResponse) or enqueue (Event) one invocation."""


class SnsPublishHook(Protocol):
    def __call__(
        self,
        *,
        topic_arn: str,
        subscription_arn: str,
        function_arn: str,
        message_id: str,
        message: str,
        subject: str | None,
        message_attributes: dict[str, Any],
        timestamp: str,
    ) -> None:
        """Enqueue one SNS delivery to a ``lambda`` subscription (filter policy already passed)."""


class EventBridgeTargetHook(Protocol):
    def __call__(self, *, rule_arn: str, target: dict[str, Any], event: dict[str, Any]) -> None:
        """Enqueue one matched event for one Lambda target of a rule.

        ``event`` is the normalized AWS event; ``render_target_input(target, event)``
        gives what the function receives (Input / InputPath / InputTransformer).
        """


class EventPatternMatcher(Protocol):
    def __call__(self, pattern: str, event: dict[str, Any]) -> bool:
        """Whether ``event`` (normalized AWS event) matches the rule's pattern JSON."""


@dataclass(frozen=True)
class SandboxHooks:
    """The data plane's entry points; a hook left as None is reported, never faked."""

    invoke: InvokeHook | None = None
    sns_publish: SnsPublishHook | None = None
    eventbridge_target: EventBridgeTargetHook | None = None
    # Replaces moto's event-pattern matcher for PutEvents when set (moto's misses
    # parts of the grammar); the runtime passes its own ``patterns`` matcher.
    event_pattern_matches: EventPatternMatcher | None = None


_current = SandboxHooks()


def set_hooks(hooks: SandboxHooks) -> None:
    """Register the data plane's hooks (replaces any registered before)."""
    global _current
    _current = hooks


def current_hooks() -> SandboxHooks:
    """The hooks registered now (all None until the data plane registers)."""
    return _current

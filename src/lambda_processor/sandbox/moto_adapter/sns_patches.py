"""SNS -> Lambda: hand real deliveries to the runtime instead of moto's fake event.

moto's ``Subscription.publish`` builds a placeholder event for ``lambda`` subscriptions
(TopicArn ``arn:aws:sns:EXAMPLE``, constant MessageId, Timestamp 1970). Hooking here
gives the real topic and subscription ARNs, the MessageId Publish returned and the
real attributes; the subscription's filter policy is applied first with moto's own
matcher (FilterPolicyScope included). Other protocols are moto's business.

The hook is called while ``backend_lock`` is held, inside the Publish request: it
must only enqueue.
"""

from __future__ import annotations

import logging
from typing import Any

from .hooks import current_hooks
from .patching import AttributeUseCheck, PatchSet, SignatureCheck

log = logging.getLogger(__name__)

CHECKS = (
    SignatureCheck(
        "moto.sns.models:Subscription.publish",
        "self, message, message_id, subject, message_attributes, group_id, deduplication_id, message_structure",
    ),
    SignatureCheck("moto.sns.models:Subscription._parse_message_structure", "self, message, protocol"),
    AttributeUseCheck("moto.sns.models:Subscription.publish", "_filter_policy_matcher"),
    SignatureCheck("moto.core.utils:iso_8601_datetime_with_milliseconds", "value"),
)


def install(patches: PatchSet) -> None:
    """Route ``lambda`` subscriptions to the ``sns_publish`` hook."""
    from moto.sns.models import Subscription

    original_publish = Subscription.publish

    def publish(
        self: Any,
        message: str,
        message_id: str,
        subject: str | None = None,
        message_attributes: dict[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> None:
        if self.protocol != "lambda":
            return original_publish(
                self, message, message_id, subject, message_attributes, group_id, deduplication_id, message_structure
            )
        deliver_to_lambda(self, message, message_id, subject, message_attributes, message_structure)
        return None

    patches.replace(Subscription, "publish", publish)


def deliver_to_lambda(
    subscription: Any,
    message: str,
    message_id: str,
    subject: str | None,
    message_attributes: dict[str, Any] | None,
    message_structure: str | None,
) -> None:
    """Apply the filter policy and message structure, then call the hook."""
    from moto.core.utils import iso_8601_datetime_with_milliseconds

    if not _passes_filter_policy(subscription, message, message_attributes or {}):
        return
    if message_structure == "json":
        message = subscription._parse_message_structure(message, "lambda")
    hook = current_hooks().sns_publish
    if hook is None:
        log.warning(
            "SNS message %s to %s not delivered: no local runtime is attached", message_id, subscription.endpoint
        )
        return
    hook(
        topic_arn=subscription.topic.arn,
        subscription_arn=subscription.arn,
        function_arn=subscription.endpoint,
        message_id=message_id,
        message=message,
        subject=subject,
        message_attributes=dict(message_attributes or {}),
        timestamp=iso_8601_datetime_with_milliseconds(),
    )


def _passes_filter_policy(subscription: Any, message: str, message_attributes: dict[str, Any]) -> bool:
    """The subscription's filter policy, evaluated by the runtime's own SNS filter engine.

    moto's matcher misses parts of the grammar; ``sns_filter`` implements AWS's rules for
    both scopes (MessageAttributes and MessageBody).
    """
    from ...sns_filter import compile_filter_policy

    policy = (subscription.attributes or {}).get("FilterPolicy")
    if not policy:
        return True
    scope = (subscription.attributes or {}).get("FilterPolicyScope") or "MessageAttributes"
    return compile_filter_policy(policy, scope).matches(message, message_attributes)

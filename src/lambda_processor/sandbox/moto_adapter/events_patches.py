"""EventBridge: deliver rule targets the way AWS does, Lambda targets through the hook.

moto's ``Rule.send_to_targets`` raises ``NotImplementedError`` for Lambda (and SNS)
targets, so PutEvents answers HTTP 500. It also lets a rule with only a
``ScheduleExpression`` match every event, fires disabled rules, and sends SQS targets
an event without ``account`` and with a transformed default template. The wrapper:

* ignores disabled rules and rules without an event pattern (schedules fire on the
  runtime's clock, not on PutEvents);
* matches with the runtime's matcher when one is registered, else moto's;
* Lambda targets -> ``eventbridge_target`` hook (must only enqueue: the backend lock
  is held); SQS and SNS targets are delivered here with AWS's event body; log-group,
  archive, event-bus and API-destination targets go to moto; anything else is
  skipped with a warning instead of failing PutEvents.

The signature changed in moto 5.1, so the wrapper takes ``*args, **kwargs``.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

from .events_input import normalized_event, render_target_input
from .hooks import current_hooks
from .patching import PatchSet, SignatureCheck

log = logging.getLogger(__name__)

CHECKS = (
    SignatureCheck("moto.events.models:Rule.send_to_targets", "self, original_event, transform_input"),
    SignatureCheck("moto.events.models:EventPattern.matches_event", "self, event"),
    SignatureCheck(
        "moto.sqs.models:SQSBackend.send_message",
        "self, queue_name, message_body, message_attributes, delay_seconds, deduplication_id, group_id, "
        "system_attributes, validate_group_id",
    ),
    SignatureCheck(
        "moto.sns.models:SNSBackend.publish",
        "self, message, arn, phone_number, subject, message_attributes, group_id, deduplication_id, "
        "message_structure",
    ),
)

MOTO_DELIVERED_SERVICES = frozenset({"logs", "events"})


def install(patches: PatchSet) -> None:
    """Wrap ``Rule.send_to_targets``."""
    from moto.events.models import Rule

    original_send = Rule.send_to_targets

    def send_to_targets(self: Any, *args: Any, **kwargs: Any) -> None:
        original_event = args[0] if args else kwargs["original_event"]
        if not rule_accepts_put_events(self):
            return
        event = normalized_event(original_event, account_id=self.account_id, region=self.region_name)
        if not _matches(self, original_event, event):
            return
        moto_targets = []
        for target in self.targets:
            service = _arn_service(target["Arn"])
            if service == "lambda":
                _to_lambda(self, target, event)
            elif service == "sqs":
                _to_sqs(self, target, event)
            elif service == "sns":
                _to_sns(self, target, event)
            elif service in MOTO_DELIVERED_SERVICES:
                moto_targets.append(target)
            else:
                log.warning("rule %s: target %s (%s) is not delivered locally", self.arn, target["Id"], target["Arn"])
        if moto_targets:
            # moto re-checks its pattern and loops over .targets: give it a view with only its own.
            view = copy.copy(self)
            view.targets = moto_targets
            original_send(view, *args, **kwargs)

    patches.replace(Rule, "send_to_targets", send_to_targets)


def rule_accepts_put_events(rule: Any) -> bool:
    """Enabled rules with an event pattern; a schedule-only rule matches no PutEvents."""
    if (rule.state or "ENABLED") != "ENABLED":
        return False
    return bool(rule.event_pattern.get_pattern())


def _matches(rule: Any, original_event: dict[str, Any], event: dict[str, Any]) -> bool:
    matcher = current_hooks().event_pattern_matches
    if matcher is not None:
        return matcher(json.dumps(rule.event_pattern.get_pattern()), event)
    return rule.event_pattern.matches_event(original_event)


def _arn_service(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def _to_lambda(rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
    hook = current_hooks().eventbridge_target
    if hook is None:
        log.warning("rule %s: event %s for %s not delivered: no local runtime", rule.arn, event.get("id"), target["Arn"])
        return
    hook(rule_arn=rule.arn, target=copy.deepcopy(target), event=copy.deepcopy(event))


def _to_sqs(rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
    from moto.sqs.models import sqs_backends

    _, _, _, region, account, queue_name = target["Arn"].split(":", 5)
    backend = sqs_backends[account][region]
    body = render_target_input(target, event, rule_arn=rule.arn, rule_name=rule.name)
    group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
    deduplication_id = None
    if queue_name.endswith(".fifo"):
        # EventBridge deduplicates FIFO deliveries by event id.
        deduplication_id = event.get("id")
    backend.send_message(queue_name, body, deduplication_id=deduplication_id, group_id=group_id)


def _to_sns(rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
    from moto.sns.models import sns_backends

    region, account = target["Arn"].split(":")[3:5]
    body = render_target_input(target, event, rule_arn=rule.arn, rule_name=rule.name)
    sns_backends[account][region].publish(body, arn=target["Arn"])

"""SNS and EventBridge deliveries to Lambda, and scheduled rules.

Both are asynchronous invocations (SNS-1, EB-1): this module builds the exact event,
checks the function's resource policy allows the caller (SNS-6, EB-6), and hands the
payload to the async queue. A target whose function is missing or does not allow the
rule goes to the target's dead-letter queue with EventBridge's attributes (EB-5).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from ..clock import Clock
from ..push_events import scheduled_event, sns_lambda_event, target_payload
from ..schedule import parse_schedule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Permission:
    """One ``lambda:InvokeFunction`` grant on a function's resource policy."""

    function_name: str
    principal: str
    source_arn: str | None


def allows(permissions: list[Permission], function_name: str, principal: str, source_arn: str) -> bool:
    """Whether the resource policy lets ``principal`` invoke on behalf of ``source_arn``."""
    for permission in permissions:
        if permission.function_name != function_name or permission.principal not in (principal, "*"):
            continue
        if permission.source_arn in (None, source_arn) or _arn_like(permission.source_arn, source_arn):
            return True
    return False


def _arn_like(pattern: str, arn: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(arn, pattern)


@dataclass
class PushStats:
    sns_deliveries: int = 0
    eventbridge_deliveries: int = 0
    scheduled_fires: int = 0
    refused: list[str] = field(default_factory=list)


class PushDelivery:
    """The SNS and EventBridge hooks of the embedded AWS, plus the schedule clock."""

    def __init__(
        self,
        *,
        submit: Callable[[str, bytes], str],
        function_name_for_arn: Callable[[str], str | None],
        permissions: list[Permission] | Callable[[], list[Permission]],
        send_to_dlq: Callable[[str, str, dict], None],
        clock: Clock,
        region: str,
        account_id: str,
    ):
        self._submit = submit
        self._function_for = function_name_for_arn
        # A callable is asked on every delivery: AddPermission/RemovePermission apply at once in AWS.
        self._permissions = permissions if callable(permissions) else (lambda: permissions)
        self._send_to_dlq = send_to_dlq
        self._clock = clock
        self._region = region
        self._account = account_id
        self._lock = threading.Lock()
        self.stats = PushStats()

    # -- SNS ----------------------------------------------------------------------------------

    def on_sns_publish(self, *, topic_arn: str, subscription_arn: str, function_arn: str, message_id: str,
                       message: str, subject: str | None, message_attributes: dict[str, Any], timestamp: str) -> None:
        name = self._function_for(function_arn)
        if name is None or not allows(self._permissions(), name, "sns.amazonaws.com", topic_arn):
            reason = "no such function" if name is None else "the function's policy does not allow this topic (SNS-6)"
            self._refuse(f"SNS {topic_arn} -> {function_arn}: {reason}")
            return
        event = sns_lambda_event(
            topic_arn=topic_arn,
            subscription_arn=subscription_arn,
            message_id=message_id,
            message=message,
            subject=subject,
            message_attributes=message_attributes,
            timestamp=_epoch(timestamp, self._clock.now()),
            region=self._region,
        )
        self._submit(name, json.dumps(event).encode())
        with self._lock:
            self.stats.sns_deliveries += 1

    # -- EventBridge ----------------------------------------------------------------------------

    def on_eventbridge_target(self, *, rule_arn: str, target: dict[str, Any], event: dict[str, Any]) -> None:
        function_arn = target.get("Arn", "")
        name = self._function_for(function_arn)
        if name is None:
            self._target_failed(rule_arn, target, event, "NO_RESOURCE", f"Function {function_arn} does not exist")
            return
        if not allows(self._permissions(), name, "events.amazonaws.com", rule_arn):
            self._target_failed(rule_arn, target, event, "NO_PERMISSIONS",
                                f"EventBridge is not allowed to invoke {function_arn} for {rule_arn} (EB-6)")
            return
        payload = target_payload(
            event,
            input=target.get("Input"),
            input_path=target.get("InputPath"),
            input_transformer=_transformer(target.get("InputTransformer")),
        )
        self._submit(name, payload)
        with self._lock:
            self.stats.eventbridge_deliveries += 1

    def _target_failed(self, rule_arn: str, target: Mapping[str, Any], event: dict, code: str, message: str) -> None:
        self._refuse(message)
        dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
        if not dlq:
            return
        attributes = {  # EB-5: non-retriable errors go to the DLQ without retries
            "RULE_ARN": {"DataType": "String", "StringValue": rule_arn},
            "TARGET_ARN": {"DataType": "String", "StringValue": target.get("Arn", "")},
            "ERROR_CODE": {"DataType": "String", "StringValue": code},
            "ERROR_MESSAGE": {"DataType": "String", "StringValue": message[:1024]},
            "RETRY_ATTEMPTS": {"DataType": "Number", "StringValue": "0"},
        }
        self._send_to_dlq(dlq, json.dumps(event), attributes)

    def _refuse(self, message: str) -> None:
        log.warning("delivery refused: %s", message)
        with self._lock:
            self.stats.refused.append(message)

    # -- schedules ---------------------------------------------------------------------------------

    def fire_schedule(self, rule_arn: str, targets: list[dict[str, Any]], fired_at: float) -> None:
        event = scheduled_event(rule_arn=rule_arn, account=self._account, region=self._region, fired_at=fired_at)
        for target in targets:
            if ":lambda:" in target.get("Arn", ""):
                self.on_eventbridge_target(rule_arn=rule_arn, target=target, event=event)
        with self._lock:
            self.stats.scheduled_fires += 1


def _transformer(value: Any) -> dict | None:
    if not value:
        return None
    return {"input_paths": value.get("InputPathsMap") or value.get("input_paths") or {},
            "input_template": value.get("InputTemplate") or value.get("input_template") or ""}


def _epoch(timestamp: str | float | None, default: float) -> float:
    if isinstance(timestamp, (int, float)):
        return float(timestamp)
    if not timestamp:
        return default
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return default


@dataclass(frozen=True)
class ScheduledRule:
    arn: str
    expression: str
    targets: tuple[dict, ...]
    created_at: float


class ScheduleRunner:
    """Fires ``rate()``/``cron()`` rules on the injected clock."""

    def __init__(self, rules: list[ScheduledRule], fire: Callable[[str, list[dict], float], None], *, clock: Clock):
        self._fire = fire
        self._clock = clock
        self._next = {rule.arn: parse_schedule(rule.expression, anchor=rule.created_at) for rule in rules}
        self._rules = {rule.arn: rule for rule in rules}
        self._due = {arn: schedule.next_after(rule.created_at) for (arn, schedule), rule in zip(self._next.items(), rules)}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def fire_due(self) -> int:
        """Fire every rule whose time has come (catching up missed fires); return how many fired."""
        now = self._clock.now()
        fired = 0
        for arn, due in list(self._due.items()):
            while due <= now:
                self._fire(arn, list(self._rules[arn].targets), due)
                fired += 1
                due = self._next[arn].next_after(due)
            self._due[arn] = due
        return fired

    def start(self) -> None:
        if not self._rules:
            return
        self._thread = threading.Thread(target=self._loop, name="schedules", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.fire_due()
            wait = min(self._due.values()) - self._clock.now()
            self._stop.wait(max(0.05, min(wait, 1.0)))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

"""SNS subscription filter policies: pure matching of one published message.

SNS filter policies use the event-pattern grammar (``patterns``) with SNS's own limits:
no ``wildcard``, at most 5 keys per policy, at most 150 value combinations, and nested
objects only when ``FilterPolicyScope`` is ``MessageBody``. Matching works on a JSON view
of the message:

* ``MessageAttributes`` scope (the default): each attribute becomes a key whose value is
  typed by its ``DataType`` -- ``String`` a string, ``Number`` a number (so numeric
  operators and numeric equality apply, and the string ``"5"`` does not match it),
  ``String.Array`` the parsed JSON array (any element may match). ``Binary`` attributes
  are never matched.
* ``MessageBody`` scope: the message must be a JSON object; the policy matches its keys,
  nested objects included. A body that is not a JSON object matches nothing.

An empty policy (``{}``) filters nothing: every message is delivered.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Mapping

from lambda_processor.errors import LambdaProcessorError
from lambda_processor.patterns import ALL_OPERATORS, EventPattern, PatternError, compile_pattern_with

SCOPE_MESSAGE_ATTRIBUTES = "MessageAttributes"
SCOPE_MESSAGE_BODY = "MessageBody"
MAX_KEYS = 5
MAX_COMBINATIONS = 150
SNS_OPERATORS = ALL_OPERATORS - {"wildcard"}


class SnsFilterPolicyError(LambdaProcessorError):
    """A subscription filter policy SNS would reject (``InvalidParameter``)."""

    def __init__(self, reason: str, *, where: str | None = None):
        self.reason = reason
        super().__init__(f"Invalid parameter: FilterPolicy: {reason}", where=where)


@dataclass(frozen=True)
class SnsFilterPolicy:
    """A validated filter policy for one subscription."""

    scope: str
    pattern: EventPattern | None  # None: the empty policy, which filters nothing

    def matches(self, message: str, message_attributes: Mapping[str, Mapping[str, Any]] | None = None) -> bool:
        """True when SNS would deliver this message to the subscription."""
        if self.pattern is None:
            return True
        if self.scope == SCOPE_MESSAGE_BODY:
            try:
                body = json.loads(message)
            except (TypeError, ValueError):
                return False
            return isinstance(body, dict) and self.pattern.matches(body)
        return self.pattern.matches(attributes_as_event(message_attributes or {}))


def _attribute_parts(attribute: Mapping[str, Any]) -> tuple[str, Any]:
    # Publish API shape {"DataType", "StringValue"/"BinaryValue"}, or the Lambda SNS event
    # shape {"Type", "Value"}; both describe the same attribute.
    if "DataType" in attribute:
        return attribute["DataType"], attribute.get("StringValue")
    return attribute.get("Type", ""), attribute.get("Value")


def _number(text: Any) -> int | float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def attributes_as_event(message_attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The typed JSON view of message attributes that a MessageAttributes policy matches."""
    event: dict[str, Any] = {}
    for name, attribute in message_attributes.items():
        data_type, value = _attribute_parts(attribute)
        base_type = data_type.split(".", 1)[0] if data_type != "String.Array" else data_type
        if base_type == "String" and isinstance(value, str):
            event[name] = value
        elif base_type == "Number":
            number = _number(value)
            if number is not None:
                event[name] = number
        elif base_type == "String.Array":
            try:
                parsed = json.loads(value)
            except (TypeError, ValueError):
                continue
            if isinstance(parsed, list):
                event[name] = parsed
        # Binary (and anything unknown) cannot be matched by a filter policy.
    return event


def compile_filter_policy(policy: str | dict, scope: str = SCOPE_MESSAGE_ATTRIBUTES) -> SnsFilterPolicy:
    """Validate a subscription's ``FilterPolicy`` for its ``FilterPolicyScope``."""
    if scope not in (SCOPE_MESSAGE_ATTRIBUTES, SCOPE_MESSAGE_BODY):
        raise SnsFilterPolicyError(
            f"FilterPolicyScope must be {SCOPE_MESSAGE_ATTRIBUTES} or {SCOPE_MESSAGE_BODY} (got {scope!r})",
            where="filter_policy_scope",
        )
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as e:
            raise SnsFilterPolicyError(f"failed to parse JSON: {e}", where="filter_policy") from e
    if not isinstance(policy, dict):
        raise SnsFilterPolicyError("Filter policy must be a JSON object", where="filter_policy")
    if not policy:
        return SnsFilterPolicy(scope, None)
    nested = scope == SCOPE_MESSAGE_BODY
    try:
        pattern = compile_pattern_with(
            policy, allowed_operators=SNS_OPERATORS, allow_nesting=nested, max_combinations=MAX_COMBINATIONS
        )
    except PatternError as e:
        reason = e.reason
        if not nested and reason.endswith("must be an array"):
            reason = "Filter policy scope MessageAttributes does not support nested filter policy"
        raise SnsFilterPolicyError(reason, where="filter_policy") from e
    if "anything-but/wildcard" in pattern.operators:
        raise SnsFilterPolicyError("Unsupported anything-but pattern: wildcard", where="filter_policy")
    for conjunction in pattern.conjunctions:
        if len(conjunction.paths) > MAX_KEYS:
            raise SnsFilterPolicyError(f"Filter policy can not have more than {MAX_KEYS} keys", where="filter_policy")
    combinations = sum(
        math.prod(len(test.predicates) for test in conjunction.tests) for conjunction in pattern.conjunctions
    )
    if combinations > MAX_COMBINATIONS:
        raise SnsFilterPolicyError(
            f"Filter policy is too complex: {combinations} value combinations exceed {MAX_COMBINATIONS}",
            where="filter_policy",
        )
    return SnsFilterPolicy(scope, pattern)

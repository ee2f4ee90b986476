"""Terraform state (``terraform show -json``) → what is deployed, as frozen dataclasses.

Pure: a dict in, a :class:`Deployment` out. No files are read and no AWS is called. The
state reflects what moto *read back*, so attributes moto drops (``dead_letter_config``,
``logging_config`` on create; ``tracing_config``/``kms_key_arn``/``ephemeral_storage`` on
update; moto-notes §Terraform) appear missing until the sandbox patches moto to keep them.

Provider quirks normalized here: optional strings that are unset come back as ``""``
(→ ``None``), nested blocks are lists of one dict, unset lists are ``null`` (→ ``()``),
``reserved_concurrent_executions = -1`` means "unreserved" (→ ``None``) and
``datapoints_to_alarm = 0`` means "same as evaluation_periods" (→ ``None``).
"""

from __future__ import annotations

import json
import os.path
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Iterable, Iterator, Mapping

from .errors import LambdaProcessorError


class UnknownResourceError(LambdaProcessorError):
    """A name or ARN does not match anything in the deployment."""


class StateFormatError(LambdaProcessorError):
    """The input is not ``terraform show -json`` output."""


# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VpcConfigDef:
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class LambdaFunctionDef:
    address: str
    name: str
    arn: str
    runtime: str | None
    handler: str | None
    memory_size: int
    timeout: int
    environment: dict[str, str]
    layers: tuple[str, ...]
    package_type: str  # "Zip" or "Image"
    filename: Path | None  # resolved against the configuration folder when one was given
    s3_bucket: str | None
    s3_key: str | None
    s3_object_version: str | None
    image_uri: str | None
    architectures: tuple[str, ...]
    reserved_concurrent_executions: int | None  # None: unreserved (state says -1)
    tracing_mode: str | None
    dead_letter_target_arn: str | None
    kms_key_arn: str | None
    vpc: VpcConfigDef | None
    role_arn: str
    ephemeral_storage: int | None  # MB of /tmp
    tags: dict[str, str]
    code_sha256: str | None
    source_code_hash: str | None

    @property
    def region(self) -> str:
        """The region part of the function's ARN."""
        return self.arn.split(":")[3]

    @property
    def account_id(self) -> str:
        """The account part of the function's ARN."""
        return self.arn.split(":")[4]


@dataclass(frozen=True)
class LayerVersionDef:
    address: str
    arn: str  # the version ARN, as functions reference it
    layer_name: str
    version: int
    filename: Path | None
    s3_bucket: str | None
    s3_key: str | None
    s3_object_version: str | None
    compatible_runtimes: tuple[str, ...]


@dataclass(frozen=True)
class EventSourceMappingDef:
    address: str
    uuid: str
    function_name: str  # as configured: a name or an ARN
    function_arn: str
    event_source_arn: str
    batch_size: int
    maximum_batching_window_in_seconds: int
    enabled: bool
    function_response_types: tuple[str, ...]
    maximum_concurrency: int | None
    filter_patterns: tuple[str, ...]  # each a JSON event pattern

    @property
    def source_service(self) -> str:
        """The event source's service from its ARN: "sqs", "kinesis", "dynamodb", "kafka", …"""
        parts = self.event_source_arn.split(":")
        return parts[2] if len(parts) > 2 else ""


@dataclass(frozen=True)
class RedriveDef:
    dlq_arn: str
    max_receive_count: int


@dataclass(frozen=True)
class QueueDef:
    address: str
    name: str
    arn: str
    url: str
    fifo: bool
    content_based_deduplication: bool
    visibility_timeout: int
    delay_seconds: int
    message_retention_seconds: int
    receive_wait_time_seconds: int
    max_message_size: int
    redrive: RedriveDef | None


@dataclass(frozen=True)
class TopicDef:
    address: str
    name: str
    arn: str
    fifo: bool


@dataclass(frozen=True)
class SnsSubscriptionDef:
    address: str
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    filter_policy: str | None  # JSON
    filter_policy_scope: str  # "MessageAttributes" (AWS's default) or "MessageBody"
    raw_message_delivery: bool
    redrive_policy: str | None  # JSON

    @property
    def dead_letter_arn(self) -> str | None:
        """The subscription DLQ from ``redrive_policy``, if any."""
        return _json_object(self.redrive_policy).get("deadLetterTargetArn") if self.redrive_policy else None


@dataclass(frozen=True)
class EventRuleDef:
    address: str
    name: str
    arn: str
    event_bus_name: str
    event_pattern: str | None  # JSON
    schedule_expression: str | None
    state: str  # ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS


@dataclass(frozen=True)
class InputTransformerDef:
    input_paths: dict[str, str]
    input_template: str


@dataclass(frozen=True)
class EventTargetDef:
    address: str
    rule: str
    event_bus_name: str
    target_id: str
    arn: str
    input: str | None
    input_path: str | None
    input_transformer: InputTransformerDef | None
    maximum_retry_attempts: int | None  # None: AWS's default (185)
    maximum_event_age_in_seconds: int | None  # None: AWS's default (86400)
    dead_letter_arn: str | None


@dataclass(frozen=True)
class LambdaPermissionDef:
    address: str
    statement_id: str
    action: str
    function_name: str
    principal: str
    source_arn: str | None
    source_account: str | None
    qualifier: str | None


@dataclass(frozen=True)
class EventInvokeConfigDef:
    address: str
    function_name: str
    qualifier: str | None
    maximum_retry_attempts: int | None
    maximum_event_age_in_seconds: int | None
    on_success_destination: str | None
    on_failure_destination: str | None


@dataclass(frozen=True)
class AlarmDef:
    address: str
    name: str
    arn: str
    namespace: str | None
    metric_name: str | None
    dimensions: dict[str, str]
    statistic: str | None
    extended_statistic: str | None
    period: int | None
    evaluation_periods: int
    datapoints_to_alarm: int | None  # None: same as evaluation_periods
    threshold: float | None
    comparison_operator: str
    treat_missing_data: str
    alarm_actions: tuple[str, ...]
    ok_actions: tuple[str, ...]
    insufficient_data_actions: tuple[str, ...]
    actions_enabled: bool
    unit: str | None
    metric_queries: tuple[dict, ...]  # metric math, as the provider's metric_query blocks


@dataclass(frozen=True)
class DashboardDef:
    address: str
    name: str
    arn: str | None
    body: dict


@dataclass(frozen=True)
class LogGroupDef:
    address: str
    name: str
    arn: str
    retention_in_days: int | None


@dataclass(frozen=True)
class DynamoTableDef:
    address: str
    name: str
    arn: str
    hash_key: str | None
    range_key: str | None
    stream_arn: str | None


@dataclass(frozen=True)
class PolicyDocumentDef:
    """One policy on a role: inline (``name``) or attached (``arn``); ``document`` when known."""

    name: str | None
    arn: str | None
    document: dict | None  # None for AWS-managed policies, whose text is not in the state


@dataclass(frozen=True)
class IamRoleDef:
    address: str
    name: str
    arn: str
    assume_role_policy: dict
    inline_policies: tuple[PolicyDocumentDef, ...]
    attached_policies: tuple[PolicyDocumentDef, ...]


@dataclass(frozen=True)
class Deployment:
    """Everything the data plane needs, read from one Terraform state."""

    functions: tuple[LambdaFunctionDef, ...] = ()
    layer_versions: tuple[LayerVersionDef, ...] = ()
    event_source_mappings: tuple[EventSourceMappingDef, ...] = ()
    queues: tuple[QueueDef, ...] = ()
    topics: tuple[TopicDef, ...] = ()
    subscriptions: tuple[SnsSubscriptionDef, ...] = ()
    event_rules: tuple[EventRuleDef, ...] = ()
    event_targets: tuple[EventTargetDef, ...] = ()
    permissions: tuple[LambdaPermissionDef, ...] = ()
    event_invoke_configs: tuple[EventInvokeConfigDef, ...] = ()
    alarms: tuple[AlarmDef, ...] = ()
    dashboards: tuple[DashboardDef, ...] = ()
    log_groups: tuple[LogGroupDef, ...] = ()
    tables: tuple[DynamoTableDef, ...] = ()
    roles: tuple[IamRoleDef, ...] = ()
    outputs: dict[str, Any] = field(default_factory=dict)

    # -- reading -----------------------------------------------------------------------

    @classmethod
    def from_state(cls, state_json: Mapping[str, Any], *, config_dir: Path | None = None) -> "Deployment":
        """Read ``terraform show -json`` output; relative ``filename``s resolve against ``config_dir``."""
        resources = list(_managed_resources(state_json))
        by_type: dict[str, list[tuple[str, dict]]] = {}
        for resource in resources:
            by_type.setdefault(resource["type"], []).append((resource["address"], resource.get("values") or {}))

        def each(kind: str) -> list[tuple[str, dict]]:
            return by_type.get(kind, [])

        outputs = state_json.get("values", {}).get("outputs", {}) or {}
        return cls(
            functions=tuple(_function(a, v, config_dir) for a, v in each("aws_lambda_function")),
            layer_versions=tuple(_layer_version(a, v, config_dir) for a, v in each("aws_lambda_layer_version")),
            event_source_mappings=tuple(_mapping(a, v) for a, v in each("aws_lambda_event_source_mapping")),
            queues=tuple(_queue(a, v) for a, v in each("aws_sqs_queue")),
            topics=tuple(_topic(a, v) for a, v in each("aws_sns_topic")),
            subscriptions=tuple(_subscription(a, v) for a, v in each("aws_sns_topic_subscription")),
            event_rules=tuple(_rule(a, v) for a, v in each("aws_cloudwatch_event_rule")),
            event_targets=tuple(_target(a, v) for a, v in each("aws_cloudwatch_event_target")),
            permissions=tuple(_permission(a, v) for a, v in each("aws_lambda_permission")),
            event_invoke_configs=tuple(
                _invoke_config(a, v) for a, v in each("aws_lambda_function_event_invoke_config")
            ),
            alarms=tuple(_alarm(a, v) for a, v in each("aws_cloudwatch_metric_alarm")),
            dashboards=tuple(_dashboard(a, v) for a, v in each("aws_cloudwatch_dashboard")),
            log_groups=tuple(_log_group(a, v) for a, v in each("aws_cloudwatch_log_group")),
            tables=tuple(_table(a, v) for a, v in each("aws_dynamodb_table")),
            roles=_roles(by_type),
            outputs={name: entry.get("value") for name, entry in outputs.items()},
        )

    # -- lookups -----------------------------------------------------------------------

    def function_by_name(self, name: str) -> LambdaFunctionDef:
        """The function called ``name``; a name, a partial ``name:qualifier`` or an ARN also work."""
        if name.startswith("arn:"):
            return self.function_by_arn(name)
        bare = name.split(":", 1)[0]
        return _only(
            self.functions,
            lambda item: item.name == bare,
            f"no Lambda function named {name!r} in the deployment",
            known=(item.name for item in self.functions),
            label="deployed functions",
        )

    def function_by_arn(self, arn: str) -> LambdaFunctionDef:
        """The function with this ARN, qualified (``:$LATEST``, ``:1``, ``:alias``) or not."""
        unqualified = unqualified_function_arn(arn)
        return _only(
            self.functions,
            lambda item: item.arn == unqualified,
            f"no Lambda function with ARN {arn!r} in the deployment",
            known=(item.arn for item in self.functions),
            label="deployed functions",
        )

    def mappings_for_function(self, name_or_arn: str) -> tuple[EventSourceMappingDef, ...]:
        """The event source mappings that invoke this function (name or ARN)."""
        function = self.function_by_name(name_or_arn)
        return tuple(m for m in self.event_source_mappings if unqualified_function_arn(m.function_arn) == function.arn)

    def mappings_for_queue(self, queue_arn: str) -> tuple[EventSourceMappingDef, ...]:
        """The event source mappings that read this queue."""
        return tuple(m for m in self.event_source_mappings if m.event_source_arn == queue_arn)

    def queue_by_arn(self, arn: str) -> QueueDef:
        """The queue with this ARN."""
        return _only(
            self.queues,
            lambda item: item.arn == arn,
            f"no SQS queue with ARN {arn!r} in the deployment",
            known=(item.arn for item in self.queues),
            label="deployed queues",
        )

    def find_queue(self, reference: str) -> QueueDef:
        """The queue named by its name, ARN or URL."""
        return _only(
            self.queues,
            lambda item: reference in (item.name, item.arn, item.url),
            f"no SQS queue {reference!r} in the deployment",
            known=(item.name for item in self.queues),
            label="deployed queues",
        )

    def topic_by_arn(self, arn: str) -> TopicDef:
        """The SNS topic with this ARN."""
        return _only(
            self.topics,
            lambda item: item.arn == arn,
            f"no SNS topic with ARN {arn!r} in the deployment",
            known=(item.arn for item in self.topics),
            label="deployed topics",
        )

    def subscriptions_for_topic(self, topic_arn: str) -> tuple[SnsSubscriptionDef, ...]:
        """The subscriptions of this topic (an empty tuple when it has none)."""
        return tuple(s for s in self.subscriptions if s.topic_arn == topic_arn)

    def rule_by_name(self, name: str, event_bus_name: str = "default") -> EventRuleDef:
        """The EventBridge rule ``name`` on ``event_bus_name``."""
        return _only(
            self.event_rules,
            lambda item: item.name == name and _same_bus(item.event_bus_name, event_bus_name),
            f"no EventBridge rule {name!r} on bus {event_bus_name!r} in the deployment",
            known=(item.name for item in self.event_rules),
            label="deployed rules",
        )

    def targets_for_rule(self, rule_name: str, event_bus_name: str = "default") -> tuple[EventTargetDef, ...]:
        """The targets of the rule ``rule_name`` on ``event_bus_name``."""
        rule = self.rule_by_name(rule_name, event_bus_name)
        return tuple(
            t for t in self.event_targets if t.rule == rule.name and _same_bus(t.event_bus_name, rule.event_bus_name)
        )

    def invoke_config_for_function(self, name_or_arn: str) -> EventInvokeConfigDef | None:
        """The function's unqualified async invoke config, or None (AWS defaults apply)."""
        function = self.function_by_name(name_or_arn)
        for config in self.event_invoke_configs:
            if config.qualifier in (None, "$LATEST") and _function_ref_matches(config.function_name, function):
                return config
        return None

    def permissions_for_function(self, name_or_arn: str) -> tuple[LambdaPermissionDef, ...]:
        """The resource-policy statements on the function."""
        function = self.function_by_name(name_or_arn)
        return tuple(p for p in self.permissions if _function_ref_matches(p.function_name, function))

    def role_by_arn(self, arn: str) -> IamRoleDef:
        """The IAM role with this ARN."""
        return _only(
            self.roles,
            lambda item: item.arn == arn,
            f"no IAM role with ARN {arn!r} in the deployment",
            known=(item.arn for item in self.roles),
            label="deployed roles",
        )

    def layer_version_by_arn(self, arn: str) -> LayerVersionDef | None:
        """The layer version this configuration published, or None (e.g. a public layer)."""
        return next((layer for layer in self.layer_versions if layer.arn == arn), None)


def unqualified_function_arn(arn: str) -> str:
    """``arn:aws:lambda:r:a:function:name[:qualifier]`` → the ARN without the qualifier."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "lambda" or parts[5] != "function":
        raise UnknownResourceError(f"{arn!r} is not a Lambda function ARN",
                                   hint="expected arn:aws:lambda:REGION:ACCOUNT:function:NAME")
    return ":".join(parts[:7])


# --------------------------------------------------------------------------------------
# Walking the state
# --------------------------------------------------------------------------------------


def _managed_resources(state_json: Mapping[str, Any]) -> Iterator[dict]:
    if not isinstance(state_json, Mapping) or "format_version" not in state_json:
        raise StateFormatError("not `terraform show -json` output (no format_version)",
                               hint="pass the JSON that `terraform show -json` prints for a state")
    root = (state_json.get("values") or {}).get("root_module") or {}

    def walk(module: Mapping[str, Any]) -> Iterator[dict]:
        for resource in module.get("resources") or []:
            if resource.get("mode") == "managed":
                yield resource
        for child in module.get("child_modules") or []:
            yield from walk(child)

    yield from walk(root)


# --------------------------------------------------------------------------------------
# One reader per resource type
# --------------------------------------------------------------------------------------


def _function(address: str, v: dict, config_dir: Path | None) -> LambdaFunctionDef:
    environment = _block(v, "environment").get("variables") or {}
    vpc = _block(v, "vpc_config")
    subnets = tuple(vpc.get("subnet_ids") or ())
    reserved = v.get("reserved_concurrent_executions")
    return LambdaFunctionDef(
        address=address,
        name=v["function_name"],
        arn=v["arn"],
        runtime=_text(v.get("runtime")),
        handler=_text(v.get("handler")),
        memory_size=int(v.get("memory_size") or 128),
        timeout=int(v.get("timeout") or 3),
        environment=dict(environment),
        layers=tuple(v.get("layers") or ()),
        package_type=v.get("package_type") or "Zip",
        filename=_resolve(v.get("filename"), config_dir),
        s3_bucket=_text(v.get("s3_bucket")),
        s3_key=_text(v.get("s3_key")),
        s3_object_version=_text(v.get("s3_object_version")),
        image_uri=_text(v.get("image_uri")),
        architectures=tuple(v.get("architectures") or ("x86_64",)),
        reserved_concurrent_executions=None if reserved in (None, -1) else int(reserved),
        tracing_mode=_text(_block(v, "tracing_config").get("mode")),
        dead_letter_target_arn=_text(_block(v, "dead_letter_config").get("target_arn")),
        kms_key_arn=_text(v.get("kms_key_arn")),
        vpc=VpcConfigDef(subnets, tuple(vpc.get("security_group_ids") or ())) if subnets else None,
        role_arn=v.get("role") or "",
        ephemeral_storage=_int_or_none(_block(v, "ephemeral_storage").get("size")),
        tags=dict(v.get("tags_all") or v.get("tags") or {}),
        code_sha256=_text(v.get("code_sha256")),
        source_code_hash=_text(v.get("source_code_hash")),
    )


def _layer_version(address: str, v: dict, config_dir: Path | None) -> LayerVersionDef:
    return LayerVersionDef(
        address=address,
        arn=v["arn"],
        layer_name=v.get("layer_name") or "",
        version=int(v.get("version") or 0),
        filename=_resolve(v.get("filename"), config_dir),
        s3_bucket=_text(v.get("s3_bucket")),
        s3_key=_text(v.get("s3_key")),
        s3_object_version=_text(v.get("s3_object_version")),
        compatible_runtimes=tuple(v.get("compatible_runtimes") or ()),
    )


def _mapping(address: str, v: dict) -> EventSourceMappingDef:
    filters = _block(v, "filter_criteria").get("filter") or []
    return EventSourceMappingDef(
        address=address,
        uuid=v.get("uuid") or v.get("id") or "",
        function_name=v.get("function_name") or "",
        function_arn=v.get("function_arn") or "",
        event_source_arn=v.get("event_source_arn") or "",
        batch_size=int(v.get("batch_size") or 10),
        maximum_batching_window_in_seconds=int(v.get("maximum_batching_window_in_seconds") or 0),
        enabled=bool(v.get("enabled", True)),
        function_response_types=tuple(v.get("function_response_types") or ()),
        maximum_concurrency=_int_or_none(_block(v, "scaling_config").get("maximum_concurrency")),
        filter_patterns=tuple(f["pattern"] for f in filters if f.get("pattern")),
    )


def _queue(address: str, v: dict) -> QueueDef:
    redrive = _json_object(v.get("redrive_policy"))
    return QueueDef(
        address=address,
        name=v["name"],
        arn=v["arn"],
        url=v.get("url") or v.get("id") or "",
        fifo=bool(v.get("fifo_queue")),
        content_based_deduplication=bool(v.get("content_based_deduplication")),
        visibility_timeout=int(v.get("visibility_timeout_seconds", 30)),
        delay_seconds=int(v.get("delay_seconds") or 0),
        message_retention_seconds=int(v.get("message_retention_seconds") or 345600),
        receive_wait_time_seconds=int(v.get("receive_wait_time_seconds") or 0),
        max_message_size=int(v.get("max_message_size") or 262144),
        redrive=RedriveDef(redrive["deadLetterTargetArn"], int(redrive["maxReceiveCount"]))
        if redrive.get("deadLetterTargetArn")
        else None,
    )


def _topic(address: str, v: dict) -> TopicDef:
    return TopicDef(address=address, name=v.get("name") or "", arn=v["arn"], fifo=bool(v.get("fifo_topic")))


def _subscription(address: str, v: dict) -> SnsSubscriptionDef:
    return SnsSubscriptionDef(
        address=address,
        arn=v.get("arn") or v.get("id") or "",
        topic_arn=v["topic_arn"],
        protocol=v["protocol"],
        endpoint=v["endpoint"],
        filter_policy=_text(v.get("filter_policy")),
        filter_policy_scope=_text(v.get("filter_policy_scope")) or "MessageAttributes",
        raw_message_delivery=bool(v.get("raw_message_delivery")),
        redrive_policy=_text(v.get("redrive_policy")),
    )


def _rule(address: str, v: dict) -> EventRuleDef:
    state = _text(v.get("state")) or ("ENABLED" if v.get("is_enabled", True) else "DISABLED")
    return EventRuleDef(
        address=address,
        name=v["name"],
        arn=v["arn"],
        event_bus_name=_bus_name(v.get("event_bus_name")),
        event_pattern=_text(v.get("event_pattern")),
        schedule_expression=_text(v.get("schedule_expression")),
        state=state,
    )


def _target(address: str, v: dict) -> EventTargetDef:
    transformer = _block(v, "input_transformer")
    retry = _block(v, "retry_policy")
    return EventTargetDef(
        address=address,
        rule=v["rule"],
        event_bus_name=_bus_name(v.get("event_bus_name")),
        target_id=v.get("target_id") or "",
        arn=v["arn"],
        input=_text(v.get("input")),
        input_path=_text(v.get("input_path")),
        input_transformer=InputTransformerDef(dict(transformer.get("input_paths") or {}),
                                              transformer.get("input_template") or "")
        if transformer
        else None,
        maximum_retry_attempts=_int_or_none(retry.get("maximum_retry_attempts")) if retry else None,
        maximum_event_age_in_seconds=_int_or_none(retry.get("maximum_event_age_in_seconds")) if retry else None,
        dead_letter_arn=_text(_block(v, "dead_letter_config").get("arn")),
    )


def _permission(address: str, v: dict) -> LambdaPermissionDef:
    return LambdaPermissionDef(
        address=address,
        statement_id=v.get("statement_id") or v.get("id") or "",
        action=v.get("action") or "",
        function_name=v.get("function_name") or "",
        principal=v.get("principal") or "",
        source_arn=_text(v.get("source_arn")),
        source_account=_text(v.get("source_account")),
        qualifier=_text(v.get("qualifier")),
    )


def _invoke_config(address: str, v: dict) -> EventInvokeConfigDef:
    destinations = _block(v, "destination_config")
    return EventInvokeConfigDef(
        address=address,
        function_name=v.get("function_name") or "",
        qualifier=_text(v.get("qualifier")),
        maximum_retry_attempts=_int_or_none(v.get("maximum_retry_attempts")),
        maximum_event_age_in_seconds=_int_or_none(v.get("maximum_event_age_in_seconds")),
        on_success_destination=_text(_block(destinations, "on_success").get("destination")),
        on_failure_destination=_text(_block(destinations, "on_failure").get("destination")),
    )


def _alarm(address: str, v: dict) -> AlarmDef:
    datapoints = _int_or_none(v.get("datapoints_to_alarm"))
    return AlarmDef(
        address=address,
        name=v["alarm_name"],
        arn=v.get("arn") or "",
        namespace=_text(v.get("namespace")),
        metric_name=_text(v.get("metric_name")),
        dimensions=dict(v.get("dimensions") or {}),
        statistic=_text(v.get("statistic")),
        extended_statistic=_text(v.get("extended_statistic")),
        period=_int_or_none(v.get("period")) or None,
        evaluation_periods=int(v.get("evaluation_periods") or 1),
        datapoints_to_alarm=datapoints or None,
        threshold=float(v["threshold"]) if v.get("threshold") is not None else None,
        comparison_operator=v.get("comparison_operator") or "",
        treat_missing_data=_text(v.get("treat_missing_data")) or "missing",
        alarm_actions=tuple(v.get("alarm_actions") or ()),
        ok_actions=tuple(v.get("ok_actions") or ()),
        insufficient_data_actions=tuple(v.get("insufficient_data_actions") or ()),
        actions_enabled=bool(v.get("actions_enabled", True)),
        unit=_text(v.get("unit")),
        metric_queries=tuple(v.get("metric_query") or ()),
    )


def _dashboard(address: str, v: dict) -> DashboardDef:
    name = v.get("dashboard_name") or ""
    try:
        body = json.loads(v.get("dashboard_body") or "{}")
    except json.JSONDecodeError as error:
        raise StateFormatError(f"dashboard_body is not JSON: {error}", where=address) from error
    return DashboardDef(address=address, name=name, arn=_text(v.get("dashboard_arn")), body=body)


def _log_group(address: str, v: dict) -> LogGroupDef:
    return LogGroupDef(address=address, name=v["name"], arn=v.get("arn") or "",
                       retention_in_days=_int_or_none(v.get("retention_in_days")) or None)


def _table(address: str, v: dict) -> DynamoTableDef:
    return DynamoTableDef(address=address, name=v["name"], arn=v.get("arn") or "",
                          hash_key=_text(v.get("hash_key")), range_key=_text(v.get("range_key")),
                          stream_arn=_text(v.get("stream_arn")))


def _roles(by_type: Mapping[str, list[tuple[str, dict]]]) -> tuple[IamRoleDef, ...]:
    # A role's policies come from three places: the role's own inline_policy blocks, separate
    # aws_iam_role_policy resources, and attachments (whose documents live on aws_iam_policy).
    # The role's read-back lists are taken at create time, before the separate resources
    # exist, so the separate resources are the authority.
    documents_by_arn = {v["arn"]: _json_object(v.get("policy")) for _a, v in by_type.get("aws_iam_policy", [])}
    roles = []
    for address, v in by_type.get("aws_iam_role", []):
        name = v["name"]
        inline: dict[str, PolicyDocumentDef] = {}
        for block in v.get("inline_policy") or []:
            if block.get("name"):
                inline[block["name"]] = PolicyDocumentDef(block["name"], None, _json_object(block.get("policy")))
        for _a, p in by_type.get("aws_iam_role_policy", []):
            if _role_name(p.get("role")) == name:
                inline[p["name"]] = PolicyDocumentDef(p["name"], None, _json_object(p.get("policy")))
        attached_arns = list(v.get("managed_policy_arns") or [])
        attached_arns += [p["policy_arn"] for _a, p in by_type.get("aws_iam_role_policy_attachment", [])
                          if _role_name(p.get("role")) == name]
        attached = tuple(
            PolicyDocumentDef(arn.rsplit("/", 1)[-1], arn, documents_by_arn.get(arn))
            for arn in dict.fromkeys(attached_arns)
        )
        roles.append(IamRoleDef(address=address, name=name, arn=v["arn"],
                                assume_role_policy=_json_object(v.get("assume_role_policy")),
                                inline_policies=tuple(inline[k] for k in sorted(inline)),
                                attached_policies=attached))
    return tuple(roles)


# --------------------------------------------------------------------------------------
# Small normalizers
# --------------------------------------------------------------------------------------


def _block(values: Mapping[str, Any], name: str) -> dict:
    """A nested block (a list of at most one dict in state) as a dict, ``{}`` when absent."""
    blocks = values.get(name) or []
    return dict(blocks[0]) if blocks and blocks[0] else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _int_or_none(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _json_object(text: Any) -> dict:
    if isinstance(text, dict):
        return text
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _resolve(filename: Any, config_dir: Path | None) -> Path | None:
    if not _text(filename):
        return None
    path = PurePath(filename)
    if config_dir is not None and not path.is_absolute():
        # Pure path arithmetic (no resolve()): "./build/x.zip" → "<config>/build/x.zip".
        return Path(os.path.normpath(Path(config_dir) / path))
    return Path(path)


def _bus_name(value: Any) -> str:
    # The default bus may be named "default" or by its ARN.
    text = _text(value) or "default"
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


def _same_bus(a: str, b: str) -> bool:
    return _bus_name(a) == _bus_name(b)


def _role_name(value: Any) -> str:
    text = _text(value) or ""
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


def _function_ref_matches(reference: str, function: LambdaFunctionDef) -> bool:
    if reference.startswith("arn:"):
        return unqualified_function_arn(reference) == function.arn
    return reference.split(":", 1)[0] == function.name


def _only(items: Iterable[Any], matches: Any, missing: str, *, known: Iterable[str], label: str) -> Any:
    """The first item that ``matches``; otherwise an UnknownResourceError listing what is deployed."""
    for item in items:
        if matches(item):
            return item
    raise UnknownResourceError(missing, hint=f"{label}: {_names(known)}")


def _names(values: Iterable[str]) -> str:
    listed = sorted(values)
    return ", ".join(listed) if listed else "none"

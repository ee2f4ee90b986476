"""Deployment.from_state against the state of a real apply (tests/data/sample_state.json).

The fixture is a trimmed `terraform show -json` of tests/terraform/fixtures/sample applied to
moto (regenerate it with LAMBDA_PROCESSOR_UPDATE_SAMPLE_STATE=1 and the terraform tests).
It holds what moto read back: dead_letter_config is configured on the processor function
but missing from the state until the sandbox keeps it (moto-notes §Terraform), so the
tests assert what the state has.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from lambda_processor.deployment import (
    Deployment,
    StateFormatError,
    UnknownResourceError,
    unqualified_function_arn,
)
from lambda_processor.errors import LambdaProcessorError

SAMPLE_STATE = Path(__file__).resolve().parent / "data" / "sample_state.json"
ACCOUNT_REGION = "us-east-1:123456789012"
PROCESSOR_ARN = f"arn:aws:lambda:{ACCOUNT_REGION}:function:sample-processor"
SOURCE_ARN = f"arn:aws:sqs:{ACCOUNT_REGION}:sample-processor-source"
DLQ_ARN = f"arn:aws:sqs:{ACCOUNT_REGION}:sample-processor-dlq"
TOPIC_ARN = f"arn:aws:sns:{ACCOUNT_REGION}:sample-processor-events"


@pytest.fixture(scope="module")
def state() -> dict:
    return json.loads(SAMPLE_STATE.read_text())


@pytest.fixture(scope="module")
def deployment(state) -> Deployment:
    return Deployment.from_state(state, config_dir=Path("/work/config"))


def test_zip_function_has_every_setting_from_state(deployment):
    fn = deployment.function_by_name("sample-processor")
    assert fn.address == "aws_lambda_function.processor"
    assert fn.arn == PROCESSOR_ARN
    assert (fn.runtime, fn.handler, fn.package_type) == ("python3.12", "app.handler", "Zip")
    assert (fn.memory_size, fn.timeout, fn.ephemeral_storage) == (256, 10, 1024)
    assert fn.environment == {"LOG_LEVEL": "DEBUG", "TABLE_NAME": "sample-processor-orders"}
    assert fn.layers == (f"arn:aws:lambda:{ACCOUNT_REGION}:layer:sample-processor-helpers:1",)
    assert fn.architectures == ("arm64",)
    assert fn.reserved_concurrent_executions == 5
    assert fn.tracing_mode == "Active"
    assert fn.role_arn == f"arn:aws:iam::123456789012:role/sample-processor-role"
    assert fn.tags == {"team": "messaging"}
    assert fn.vpc is None and fn.kms_key_arn is None
    assert (fn.region, fn.account_id) == ("us-east-1", "123456789012")


def test_relative_filename_resolves_against_config_dir(deployment, state):
    assert deployment.function_by_name("sample-processor").filename == Path("/work/config/build/function.zip")
    unresolved = Deployment.from_state(state)
    assert unresolved.function_by_name("sample-processor").filename == Path("build/function.zip")


def test_moto_drops_dead_letter_config_on_create_so_state_has_none(deployment):
    # Configured in fixtures/sample/main.tf; moto 5.2.5 does not read it back.
    assert deployment.function_by_name("sample-processor").dead_letter_target_arn is None


def test_unreserved_concurrency_minus_one_becomes_none(deployment):
    assert deployment.function_by_name("sample-processor-s3").reserved_concurrent_executions is None


def test_s3_and_image_functions(deployment):
    s3 = deployment.function_by_name("sample-processor-s3")
    assert (s3.s3_bucket, s3.s3_key, s3.s3_object_version, s3.filename) == (
        "sample-processor-code", "packages/function.zip", None, None)
    image = deployment.function_by_name("sample-processor-image")
    assert image.package_type == "Image"
    assert image.image_uri == "123456789012.dkr.ecr.us-east-1.amazonaws.com/sample:latest"
    assert (image.runtime, image.handler) == (None, None)


def test_function_by_arn_accepts_qualified_and_unqualified(deployment):
    for arn in (PROCESSOR_ARN, PROCESSOR_ARN + ":$LATEST", PROCESSOR_ARN + ":live"):
        assert deployment.function_by_arn(arn).name == "sample-processor"
    assert deployment.function_by_name(PROCESSOR_ARN + ":$LATEST").name == "sample-processor"
    assert deployment.function_by_name("sample-processor:$LATEST").name == "sample-processor"


def test_unknown_function_raises_naming_it_and_listing_deployed(deployment):
    with pytest.raises(UnknownResourceError) as error:
        deployment.function_by_name("nope")
    assert "'nope'" in str(error.value) and "sample-processor-image" in str(error.value)
    assert isinstance(error.value, LambdaProcessorError)
    with pytest.raises(UnknownResourceError, match="sample-processor-gone"):
        deployment.function_by_arn(f"arn:aws:lambda:{ACCOUNT_REGION}:function:sample-processor-gone")
    with pytest.raises(UnknownResourceError, match="not a Lambda function ARN"):
        unqualified_function_arn(SOURCE_ARN)


def test_event_source_mapping_with_filters_scaling_and_partial_failures(deployment):
    (mapping,) = deployment.mappings_for_function("sample-processor")
    assert mapping.event_source_arn == SOURCE_ARN
    assert mapping.function_arn == PROCESSOR_ARN
    assert (mapping.batch_size, mapping.maximum_batching_window_in_seconds) == (5, 1)
    assert mapping.enabled is True
    assert mapping.function_response_types == ("ReportBatchItemFailures",)
    assert mapping.maximum_concurrency == 2
    assert mapping.source_service == "sqs"
    patterns = [json.loads(p) for p in mapping.filter_patterns]
    assert len(patterns) == 2
    assert {"body": {"type": ["order"]}} in patterns
    assert {"body": {"priority": [{"numeric": [">", 5]}]}} in patterns
    assert deployment.mappings_for_queue(SOURCE_ARN) == (mapping,)
    assert deployment.mappings_for_function("sample-processor-s3") == ()


def test_queue_redrive_policy_and_settings(deployment):
    source = deployment.queue_by_arn(SOURCE_ARN)
    assert source.redrive is not None
    assert (source.redrive.dlq_arn, source.redrive.max_receive_count) == (DLQ_ARN, 3)
    assert (source.visibility_timeout, source.delay_seconds, source.message_retention_seconds) == (60, 2, 86400)
    assert source.fifo is False
    assert source.url.endswith("/123456789012/sample-processor-source")
    dlq = deployment.queue_by_arn(DLQ_ARN)
    assert dlq.redrive is None and dlq.message_retention_seconds == 1209600
    assert deployment.find_queue("sample-processor-dlq") == dlq
    assert deployment.find_queue(dlq.url) == dlq
    with pytest.raises(UnknownResourceError, match="no SQS queue"):
        deployment.queue_by_arn(f"arn:aws:sqs:{ACCOUNT_REGION}:missing")


def test_sns_topic_and_lambda_subscription_with_filter_policy(deployment):
    assert deployment.topic_by_arn(TOPIC_ARN).name == "sample-processor-events"
    (subscription,) = deployment.subscriptions_for_topic(TOPIC_ARN)
    assert (subscription.protocol, subscription.endpoint) == ("lambda", PROCESSOR_ARN)
    assert json.loads(subscription.filter_policy) == {"kind": ["created"]}
    assert subscription.filter_policy_scope == "MessageAttributes"
    assert subscription.raw_message_delivery is False
    assert subscription.dead_letter_arn == DLQ_ARN
    assert deployment.subscriptions_for_topic(TOPIC_ARN + "-other") == ()


def test_event_rules_pattern_and_schedule(deployment):
    orders = deployment.rule_by_name("sample-processor-orders")
    assert json.loads(orders.event_pattern) == {"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}
    assert (orders.schedule_expression, orders.state, orders.event_bus_name) == (None, "ENABLED", "default")
    tick = deployment.rule_by_name("sample-processor-tick")
    assert (tick.event_pattern, tick.schedule_expression) == (None, "rate(5 minutes)")


def test_event_targets_transformer_retry_and_dlq(deployment):
    (target,) = deployment.targets_for_rule("sample-processor-orders")
    assert (target.target_id, target.arn) == ("processor", PROCESSOR_ARN)
    assert target.input_transformer.input_paths == {"id": "$.detail.id"}
    assert target.input_transformer.input_template == '{"order": <id>}'
    assert (target.maximum_retry_attempts, target.maximum_event_age_in_seconds) == (4, 600)
    assert target.dead_letter_arn == DLQ_ARN
    (tick,) = deployment.targets_for_rule("sample-processor-tick")
    assert json.loads(tick.input) == {"tick": True}
    assert (tick.input_transformer, tick.maximum_retry_attempts, tick.dead_letter_arn) == (None, None, None)
    with pytest.raises(UnknownResourceError, match="no EventBridge rule 'sample-processor-orders' on bus 'other'"):
        deployment.targets_for_rule("sample-processor-orders", "other")


def test_permissions_and_event_invoke_config(deployment):
    principals = {p.principal: p for p in deployment.permissions_for_function(PROCESSOR_ARN)}
    assert set(principals) == {"sns.amazonaws.com", "events.amazonaws.com"}
    assert principals["sns.amazonaws.com"].source_arn == TOPIC_ARN
    assert principals["sns.amazonaws.com"].action == "lambda:InvokeFunction"
    config = deployment.invoke_config_for_function("sample-processor")
    assert (config.maximum_retry_attempts, config.maximum_event_age_in_seconds) == (1, 300)
    assert (config.on_success_destination, config.on_failure_destination) == (TOPIC_ARN, DLQ_ARN)
    assert deployment.invoke_config_for_function("sample-processor-s3") is None


def test_alarms_from_child_module(deployment):
    alarms = {a.name: a for a in deployment.alarms}
    errors = alarms["sample-processor-errors"]
    assert errors.address == "module.monitoring.aws_cloudwatch_metric_alarm.errors"
    assert (errors.namespace, errors.metric_name, errors.dimensions) == (
        "AWS/Lambda", "Errors", {"FunctionName": "sample-processor"})
    assert (errors.statistic, errors.extended_statistic, errors.period) == ("Sum", None, 60)
    assert (errors.evaluation_periods, errors.datapoints_to_alarm, errors.threshold) == (3, 2, 1.0)
    assert errors.comparison_operator == "GreaterThanOrEqualToThreshold"
    assert errors.treat_missing_data == "notBreaching"
    assert errors.alarm_actions == (TOPIC_ARN,) and errors.ok_actions == (TOPIC_ARN,)
    assert errors.insufficient_data_actions == () and errors.actions_enabled is True
    p99 = alarms["sample-processor-duration-p99"]
    assert (p99.statistic, p99.extended_statistic, p99.datapoints_to_alarm) == (None, "p99", None)
    assert (p99.actions_enabled, p99.treat_missing_data) == (False, "missing")


def test_dashboard_body_is_parsed(deployment):
    (dashboard,) = deployment.dashboards
    assert dashboard.name == "sample-processor-dashboard"
    (widget,) = dashboard.body["widgets"]
    assert widget["properties"]["metrics"] == [["AWS/Lambda", "Invocations", "FunctionName", "sample-processor"]]


def test_log_group_table_and_layer(deployment):
    (log_group,) = deployment.log_groups
    assert (log_group.name, log_group.retention_in_days) == ("/aws/lambda/sample-processor", 14)
    (table,) = deployment.tables
    assert (table.name, table.hash_key, table.range_key, table.stream_arn) == (
        "sample-processor-orders", "order_id", None, None)
    layer_arn = deployment.function_by_name("sample-processor").layers[0]
    layer = deployment.layer_version_by_arn(layer_arn)
    assert (layer.layer_name, layer.version) == ("sample-processor-helpers", 1)
    assert layer.filename == Path("/work/config/build/layer.zip")
    assert deployment.layer_version_by_arn(layer_arn[:-1] + "9") is None


def test_role_collects_inline_and_attached_policies(deployment):
    role = deployment.role_by_arn("arn:aws:iam::123456789012:role/sample-processor-role")
    assert role.assume_role_policy["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    (inline,) = role.inline_policies
    assert inline.name == "poll-queue"
    assert inline.document["Statement"][0]["Resource"] == SOURCE_ARN
    (own,) = role.attached_policies
    assert own.arn == "arn:aws:iam::123456789012:policy/sample-processor-write-table"
    assert own.document["Statement"][0]["Action"] == "dynamodb:PutItem"


def test_aws_managed_policy_is_recorded_by_arn_without_a_document(state):
    # moto knows AWS-managed policies only with MOTO_IAM_LOAD_MANAGED_POLICIES, so the live
    # sample does not attach one; the state shape is the provider's, as for any attachment.
    with_managed = copy.deepcopy(state)
    managed_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    with_managed["values"]["root_module"]["resources"].append(
        {"address": "aws_iam_role_policy_attachment.basic", "mode": "managed",
         "type": "aws_iam_role_policy_attachment", "name": "basic",
         "values": {"id": "x", "role": "sample-processor-role", "policy_arn": managed_arn}})
    (role,) = Deployment.from_state(with_managed).roles
    attached = {p.arn: p for p in role.attached_policies}
    assert attached[managed_arn].name == "AWSLambdaBasicExecutionRole"
    assert attached[managed_arn].document is None  # the text of AWS-managed policies is not in state


def test_outputs_are_plain_values(deployment):
    assert deployment.outputs["function_name"] == "sample-processor"
    assert deployment.outputs["dlq_arn"] == DLQ_ARN


def test_resources_in_nested_child_modules_are_found(state):
    nested = copy.deepcopy(state)
    root = nested["values"]["root_module"]
    monitoring = root.pop("child_modules")[0]
    root["child_modules"] = [{"address": "module.outer", "resources": [], "child_modules": [monitoring]}]
    assert {a.name for a in Deployment.from_state(nested).alarms} == {
        "sample-processor-errors", "sample-processor-duration-p99"}


def test_data_sources_are_ignored(state):
    with_data = copy.deepcopy(state)
    with_data["values"]["root_module"]["resources"].append(
        {"address": "data.aws_sqs_queue.x", "mode": "data", "type": "aws_sqs_queue", "name": "x",
         "values": {"name": "x", "arn": "arn:aws:sqs:us-east-1:1:x", "url": "u"}})
    assert len(Deployment.from_state(with_data).queues) == 2


def test_empty_state_gives_empty_deployment():
    empty = Deployment.from_state({"format_version": "1.0"})
    assert empty.functions == () and empty.queues == () and empty.outputs == {}


def test_input_that_is_not_show_json_is_rejected():
    with pytest.raises(StateFormatError, match="terraform show -json"):
        Deployment.from_state({"version": 4, "resources": []})  # a raw .tfstate file

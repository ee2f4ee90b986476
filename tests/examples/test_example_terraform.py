"""Every example is fmt-clean, validates, and plans against a local moto server; the plans
carry the SQS rules the examples promise (aws-semantics SQS-10, SQS-16, SQS-44)."""

from __future__ import annotations

import json

import pytest
from example_support import EXAMPLES, EXAMPLES_DIR, output_of, planned_resources, require_terraform, terraform

# example -> the helper-module instance whose queue the function consumes
SOURCE_QUEUE_MODULES = {
    "order-processor": "module.order_queue",
    "payment-processor": "module.payment_queue",
    "batch-processor": "module.data_queue",
    "enhanced-processor": "module.events_queue",
}
SQS_EXAMPLES = list(SOURCE_QUEUE_MODULES)


def _resources(plan: dict, resource_type: str) -> list[dict]:
    return [r for r in planned_resources(plan) if r["type"] == resource_type]


def _change(plan: dict, address: str) -> dict:
    return next(c["change"] for c in plan["resource_changes"] if c["address"] == address)


def _source_queues(plan: dict, example: str) -> list[dict]:
    """The queue the example's function consumes from."""
    address = f"{SOURCE_QUEUE_MODULES[example]}.aws_sqs_queue.this"
    return [r for r in _resources(plan, "aws_sqs_queue") if r["address"] == address]


@pytest.mark.parametrize("path", [*EXAMPLES, "modules"])
def test_examples_are_terraform_fmt_clean(path):
    require_terraform()
    result = terraform(["fmt", "-check", "-recursive", "-diff", "-no-color"], EXAMPLES_DIR / path)
    assert result.returncode == 0, f"terraform fmt -check found changes in examples/{path}:\n{output_of(result)}"


@pytest.mark.terraform
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_validates(example, initialized_examples):
    directory = initialized_examples.get(example)
    result = terraform(["validate", "-no-color", "-json"], directory)
    report = json.loads(result.stdout)
    assert report["valid"], f"{example} does not validate:\n{json.dumps(report['diagnostics'], indent=2)}"


@pytest.mark.terraform
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_plans_against_moto(example, planned):
    plan = planned(example)
    functions = _resources(plan, "aws_lambda_function")
    assert len(functions) == 1, f"{example} should plan exactly one function, got {[f['address'] for f in functions]}"
    assert plan["resource_changes"], f"{example} planned no changes on an empty moto account"
    not_created = [
        c["address"]
        for c in plan["resource_changes"]
        if c["mode"] == "managed" and c["change"]["actions"] != ["create"]
    ]
    assert not not_created, f"{example}: on an empty account every resource is a create, not {not_created}"


@pytest.mark.terraform
@pytest.mark.parametrize("example", SQS_EXAMPLES)
def test_sqs_10_source_queue_visibility_timeout_is_at_least_six_times_the_function_timeout(example, planned):
    plan = planned(example)
    (function,) = _resources(plan, "aws_lambda_function")
    (mapping,) = _resources(plan, "aws_lambda_event_source_mapping")
    window = mapping["values"].get("maximum_batching_window_in_seconds") or 0
    queues = _source_queues(plan, example)
    assert queues, f"{example} has no {SOURCE_QUEUE_MODULES[example]} queue"
    for queue in queues:
        visibility = queue["values"]["visibility_timeout_seconds"]
        assert visibility >= 6 * function["values"]["timeout"] + window, (
            f"{example}: {queue['address']} visibility {visibility}s < 6 x timeout {function['values']['timeout']}s"
            f" + window {window}s"
        )


@pytest.mark.terraform
@pytest.mark.parametrize("example", SQS_EXAMPLES)
def test_sqs_16_source_queue_redrives_to_a_dead_letter_queue(example, planned):
    plan = planned(example)
    queues = _source_queues(plan, example)
    assert queues, f"{example} has no source queue from examples/modules/sqs-queue"
    for queue in queues:
        dlq_address = queue["address"].replace("aws_sqs_queue.this", "aws_sqs_queue.dlq[0]")
        planned_addresses = {r["address"] for r in planned_resources(plan)}
        assert dlq_address in planned_addresses, f"{example}: no DLQ for {queue['address']}"
        change = _change(plan, queue["address"])
        # The policy embeds the DLQ's ARN, which is only known after apply.
        has_policy = change["after_unknown"].get("redrive_policy") is True
        assert has_policy, f"{example}: {queue['address']} has no redrive policy"


@pytest.mark.terraform
@pytest.mark.parametrize("example", SQS_EXAMPLES)
def test_sqs_44_event_source_mapping_reports_batch_item_failures(example, planned):
    (mapping,) = _resources(planned(example), "aws_lambda_event_source_mapping")
    assert mapping["values"]["function_response_types"] == ["ReportBatchItemFailures"]


@pytest.mark.terraform
def test_flt_4_enhanced_filter_matches_the_event_type_inside_the_body(planned):
    (mapping,) = _resources(planned("enhanced-processor"), "aws_lambda_event_source_mapping")
    (criteria,) = mapping["values"]["filter_criteria"]
    patterns = [json.loads(f["pattern"]) for f in criteria["filter"]]
    assert patterns == [{"body": {"eventType": ["IMPORTANT", "CRITICAL"]}}]


@pytest.mark.terraform
def test_notification_outbox_queue_subscribes_to_both_destination_topics(planned):
    plan = planned("notification-processor", create_outbox_queue=True)
    subscriptions = {
        r["address"]: r["values"] for r in _resources(plan, "aws_sns_topic_subscription") if "outbox" in r["address"]
    }
    assert set(subscriptions) == {
        'aws_sns_topic_subscription.outbox["email"]',
        'aws_sns_topic_subscription.outbox["sms"]',
    }
    assert all(v["protocol"] == "sqs" and v["raw_message_delivery"] is True for v in subscriptions.values())
    assert len(_resources(plan, "aws_sqs_queue_policy")) == 1
    assert not _resources(planned("notification-processor"), "aws_sqs_queue")


@pytest.mark.terraform
def test_batch_raw_bucket_notification_can_be_turned_off(planned):
    assert len(_resources(planned("batch-processor"), "aws_s3_bucket_notification")) == 1
    assert not _resources(planned("batch-processor", notify_queue_on_raw_upload=False), "aws_s3_bucket_notification")

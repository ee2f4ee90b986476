"""EventBridge: Lambda targets reach the hook; moto's matching and SQS-target bugs are fixed."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from lambda_processor.sandbox import SandboxHooks


@pytest.fixture
def queue(client):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, url, arn


def put_order_event(events, **extra):
    entry = {"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 42}), **extra}
    result = events.put_events(Entries=[entry])
    assert result["FailedEntryCount"] == 0
    return result["Entries"][0]["EventId"]


def test_eb_2_lambda_target_gets_the_aws_event(hooks, client, make_function):
    function = make_function("on-order")
    events = client("events")
    rule_arn = events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop.orders"]}))["RuleArn"]
    target = {"Id": "fn", "Arn": function["FunctionArn"], "RetryPolicy": {"MaximumRetryAttempts": 2}}
    events.put_targets(Rule="orders", Targets=[target])
    event_id = put_order_event(events, Time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), Resources=["arn:x"])
    [delivery] = hooks.eventbridge_deliveries
    assert delivery["rule_arn"] == rule_arn
    assert delivery["target"]["Id"] == "fn"
    assert delivery["target"]["RetryPolicy"] == {"MaximumRetryAttempts": 2}
    assert delivery["event"] == {
        "version": "0",
        "id": event_id,
        "detail-type": "OrderPlaced",
        "source": "shop.orders",
        "account": "123456789012",
        "time": "2026-01-02T03:04:05Z",
        "region": "us-east-1",
        "resources": ["arn:x"],
        "detail": {"total": 42},
    }


def test_a_schedule_only_rule_does_not_match_put_events(hooks, client, make_function):
    function = make_function("cron")
    events = client("events")
    events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")
    events.put_targets(Rule="every-minute", Targets=[{"Id": "fn", "Arn": function["FunctionArn"]}])
    put_order_event(events)
    assert hooks.eventbridge_deliveries == []


def test_a_disabled_rule_delivers_nothing(hooks, client, make_function):
    function = make_function("off")
    events = client("events")
    events.put_rule(Name="off", EventPattern=json.dumps({"source": ["shop.orders"]}), State="DISABLED")
    events.put_targets(Rule="off", Targets=[{"Id": "fn", "Arn": function["FunctionArn"]}])
    put_order_event(events)
    assert hooks.eventbridge_deliveries == []


def test_a_non_matching_event_delivers_nothing(hooks, client, make_function):
    function = make_function("picky")
    events = client("events")
    events.put_rule(Name="picky", EventPattern=json.dumps({"source": ["shop.payments"]}))
    events.put_targets(Rule="picky", Targets=[{"Id": "fn", "Arn": function["FunctionArn"]}])
    put_order_event(events)
    assert hooks.eventbridge_deliveries == []


def test_sqs_target_event_has_account_and_iso_time(hooks, client, queue):
    sqs, url, arn = queue
    events = client("events")
    events.put_rule(Name="to-queue", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="to-queue", Targets=[{"Id": "q", "Arn": arn}])
    event_id = put_order_event(events, Time=datetime(2026, 5, 6, 7, 8, 9, tzinfo=timezone.utc))
    body = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])
    assert body["id"] == event_id
    assert body["account"] == "123456789012"
    assert body["time"] == "2026-05-06T07:08:09Z"
    assert "ingestion-time" not in body


def test_sqs_target_constant_input_is_sent_verbatim(hooks, client, queue):
    sqs, url, arn = queue
    events = client("events")
    events.put_rule(Name="constant", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="constant", Targets=[{"Id": "q", "Arn": arn, "Input": '{"fixed": true}'}])
    put_order_event(events)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == '{"fixed": true}'


def test_sns_target_publishes_the_event(hooks, client, make_function):
    function = make_function("via-topic")
    sns = client("sns")
    topic_arn = sns.create_topic(Name="events")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function["FunctionArn"])
    events = client("events")
    events.put_rule(Name="to-topic", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="to-topic", Targets=[{"Id": "t", "Arn": topic_arn}])
    event_id = put_order_event(events)
    assert json.loads(hooks.sns_deliveries[0]["message"])["id"] == event_id


def test_log_group_targets_still_go_to_moto(hooks, client):
    logs = client("logs")
    logs.create_log_group(logGroupName="/aws/events/orders")
    events = client("events")
    events.put_rule(Name="to-logs", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(
        Rule="to-logs", Targets=[{"Id": "l", "Arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/orders"}]
    )
    event_id = put_order_event(events)
    [stream] = logs.describe_log_streams(logGroupName="/aws/events/orders")["logStreams"]
    [entry] = logs.get_log_events(logGroupName="/aws/events/orders", logStreamName=stream["logStreamName"])["events"]
    assert json.loads(entry["message"])["id"] == event_id


def test_a_registered_matcher_replaces_moto_matching(aws, hooks, client, make_function):
    seen = []

    def matcher(pattern, event):
        seen.append((json.loads(pattern), event["source"]))
        return event["detail"]["total"] > 40  # a rule moto's matcher could not express this way

    aws.set_hooks(SandboxHooks(eventbridge_target=hooks.eventbridge_target, event_pattern_matches=matcher))
    function = make_function("custom")
    events = client("events")
    events.put_rule(Name="custom", EventPattern=json.dumps({"source": ["anything.else"]}))
    events.put_targets(Rule="custom", Targets=[{"Id": "fn", "Arn": function["FunctionArn"]}])
    put_order_event(events)
    assert seen == [({"source": ["anything.else"]}, "shop.orders")]
    assert len(hooks.eventbridge_deliveries) == 1


def test_put_events_succeeds_without_a_runtime(client, make_function):
    function = make_function("nobody")
    events = client("events")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "fn", "Arn": function["FunctionArn"]}])
    put_order_event(events)

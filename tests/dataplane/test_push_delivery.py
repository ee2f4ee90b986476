import json

from lambda_processor.clock import FakeClock
from lambda_processor.dataplane.push_delivery import Permission, PushDelivery, ScheduledRule, ScheduleRunner

FN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:notify"
TOPIC = "arn:aws:sns:us-east-1:123456789012:user-events"
RULE = "arn:aws:events:us-east-1:123456789012:rule/orders"
DLQ = "arn:aws:sqs:us-east-1:123456789012:rule-dlq"


def make(permissions):
    submitted, dead = [], []
    delivery = PushDelivery(
        submit=lambda name, payload: submitted.append((name, json.loads(payload))) or "req",
        function_name_for_arn=lambda arn: "notify" if arn == FN_ARN else None,
        permissions=permissions,
        send_to_dlq=lambda arn, body, attrs: dead.append((arn, json.loads(body), attrs)),
        clock=FakeClock(), region="us-east-1", account_id="123456789012",
    )
    return delivery, submitted, dead


def test_sns_1_publish_becomes_an_async_invocation_with_the_sns_event():
    delivery, submitted, _ = make([Permission("notify", "sns.amazonaws.com", TOPIC)])
    delivery.on_sns_publish(topic_arn=TOPIC, subscription_arn=TOPIC + ":sub-1", function_arn=FN_ARN, message_id="mid",
                            message="hello", subject="s", message_attributes={}, timestamp="2026-11-27T09:00:00.000Z")
    ((name, event),) = submitted
    assert name == "notify"
    sns = event["Records"][0]["Sns"]
    assert sns["TopicArn"] == TOPIC and sns["MessageId"] == "mid" and sns["Timestamp"] == "2026-11-27T09:00:00.000Z"


def test_sns_6_a_topic_without_permission_is_not_delivered():
    delivery, submitted, _ = make([Permission("notify", "sns.amazonaws.com", "arn:aws:sns:us-east-1:123456789012:other")])
    delivery.on_sns_publish(topic_arn=TOPIC, subscription_arn="s", function_arn=FN_ARN, message_id="m",
                            message="x", subject=None, message_attributes={}, timestamp="")
    assert submitted == [] and "SNS-6" in delivery.stats.refused[0]


def test_eb_1_matching_event_is_delivered_through_the_target_input_path():
    delivery, submitted, _ = make([Permission("notify", "events.amazonaws.com", RULE)])
    event = {"detail": {"id": 1}, "source": "app"}
    delivery.on_eventbridge_target(rule_arn=RULE, target={"Arn": FN_ARN, "InputPath": "$.detail"}, event=event)
    assert submitted == [("notify", {"id": 1})]


def test_eb_5_missing_permission_sends_the_event_to_the_target_dlq():
    delivery, submitted, dead = make([])
    event = {"detail": {}}
    delivery.on_eventbridge_target(rule_arn=RULE, target={"Arn": FN_ARN, "DeadLetterConfig": {"Arn": DLQ}}, event=event)
    ((arn, body, attrs),) = dead
    assert submitted == [] and arn == DLQ and body == event
    assert attrs["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS" and attrs["RULE_ARN"]["StringValue"] == RULE


def test_schedule_fires_on_the_clock_with_a_scheduled_event():
    clock = FakeClock(start=0.0)
    delivery, submitted, _ = make([Permission("notify", "events.amazonaws.com", RULE)])
    runner = ScheduleRunner([ScheduledRule(RULE, "rate(5 minutes)", ({"Arn": FN_ARN},), created_at=0.0)],
                            delivery.fire_schedule, clock=clock)
    assert runner.fire_due() == 0
    clock.advance(600)
    assert runner.fire_due() == 2
    assert [e["detail-type"] for _, e in submitted] == ["Scheduled Event"] * 2
    assert submitted[0][1]["resources"] == [RULE]

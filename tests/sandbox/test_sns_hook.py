"""SNS -> Lambda: real ids and attributes reach the hook; filter policies apply; SQS unchanged."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def topic_with_function(client, make_function):
    function = make_function("notify")
    sns = client("sns")
    topic_arn = sns.create_topic(Name="orders")["TopicArn"]
    subscription_arn = sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function["FunctionArn"])[
        "SubscriptionArn"
    ]
    return sns, topic_arn, subscription_arn, function["FunctionArn"]


def test_sns_2_delivery_carries_the_real_topic_subscription_message_id_and_attributes(hooks, topic_with_function):
    sns, topic_arn, subscription_arn, function_arn = topic_with_function
    message_id = sns.publish(
        TopicArn=topic_arn,
        Message="order placed",
        Subject="Order",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "created"}},
    )["MessageId"]
    [delivery] = hooks.sns_deliveries
    timestamp = delivery.pop("timestamp")
    assert delivery == {
        "topic_arn": topic_arn,
        "subscription_arn": subscription_arn,
        "function_arn": function_arn,
        "message_id": message_id,
        "message": "order placed",
        "subject": "Order",
        "message_attributes": {"kind": {"Type": "String", "Value": "created"}},
    }
    assert timestamp.endswith("Z") and timestamp[:2] == "20"
    assert hooks.invocations == []  # moto's fake event never runs


def test_sns_subscription_filter_policy_is_honoured(hooks, topic_with_function):
    sns, topic_arn, subscription_arn, _ = topic_with_function
    sns.set_subscription_attributes(
        SubscriptionArn=subscription_arn, AttributeName="FilterPolicy", AttributeValue=json.dumps({"kind": ["paid"]})
    )
    sns.publish(TopicArn=topic_arn, Message="skip", MessageAttributes={"kind": {"DataType": "String", "StringValue": "created"}})
    sns.publish(TopicArn=topic_arn, Message="keep", MessageAttributes={"kind": {"DataType": "String", "StringValue": "paid"}})
    assert [delivery["message"] for delivery in hooks.sns_deliveries] == ["keep"]


def test_message_structure_json_delivers_the_lambda_variant(hooks, topic_with_function):
    sns, topic_arn, _, _ = topic_with_function
    sns.publish(
        TopicArn=topic_arn,
        MessageStructure="json",
        Message=json.dumps({"default": "for everyone", "lambda": "for lambda"}),
    )
    assert hooks.sns_deliveries[0]["message"] == "for lambda"


def test_sqs_subscriptions_still_receive_through_moto(hooks, client, topic_with_function):
    sns, topic_arn, _, _ = topic_with_function
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="audit")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    message_id = sns.publish(TopicArn=topic_arn, Message="both")["MessageId"]
    envelope = json.loads(sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"])
    assert envelope["MessageId"] == message_id
    assert envelope["TopicArn"] == topic_arn
    assert len(hooks.sns_deliveries) == 1


def test_publish_succeeds_without_a_runtime(client, topic_with_function):
    sns, topic_arn, _, _ = topic_with_function
    assert sns.publish(TopicArn=topic_arn, Message="nobody listens")["MessageId"]

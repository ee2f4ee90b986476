import json

import pytest

from lambda_processor.errors import ConfigError
from lambda_processor.push_events import (
    eventbridge_event,
    json_path,
    scheduled_event,
    sns_lambda_event,
    target_payload,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:user-events"
SUB = TOPIC + ":21be56ed-a058-49f5-8c98-aedd2564c486"


def test_sns_2_event_shape_carries_real_topic_subscription_and_attributes():
    event = sns_lambda_event(
        topic_arn=TOPIC,
        subscription_arn=SUB,
        message_id="95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        message='{"user": 1}',
        subject=None,
        message_attributes={"kind": {"DataType": "String", "StringValue": "signup"}},
        timestamp=1546433107.0,
        region="us-east-1",
    )
    (record,) = event["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == SUB
    sns = record["Sns"]
    assert sns["TopicArn"] == TOPIC and sns["Type"] == "Notification"
    assert sns["Message"] == '{"user": 1}'  # SNS-3: never parsed
    assert sns["Subject"] is None
    assert sns["Timestamp"] == "2019-01-02T12:45:07.000Z"
    assert sns["MessageAttributes"] == {"kind": {"Type": "String", "Value": "signup"}}
    # SNS-3: Lambda events spell these with "Url", not "URL".
    assert "SigningCertUrl" in sns and "UnsubscribeUrl" in sns and "SigningCertURL" not in sns
    assert sns["SignatureVersion"] == "1"


def test_sns_3_no_attributes_is_an_empty_object():
    event = sns_lambda_event(topic_arn=TOPIC, subscription_arn=SUB, message_id="m", message="x",
                             subject="s", message_attributes={}, timestamp=0, region="eu-west-1")
    assert event["Records"][0]["Sns"]["MessageAttributes"] == {}


def test_eb_2_event_has_every_top_level_field():
    event = eventbridge_event(
        {"Source": "app.orders", "DetailType": "OrderPlaced", "Detail": '{"id": 7}', "Resources": ["arn:x"]},
        account="123456789012", region="us-east-1", now=1513968228.0, event_id="abc",
    )
    assert event == {
        "version": "0", "id": "abc", "detail-type": "OrderPlaced", "source": "app.orders",
        "account": "123456789012", "time": "2017-12-22T18:43:48Z", "region": "us-east-1",
        "resources": ["arn:x"], "detail": {"id": 7},
    }


def test_eventbridge_detail_must_be_json():
    with pytest.raises(ConfigError, match="Detail must be a JSON object"):
        eventbridge_event({"Detail": "not json"}, account="1", region="r", now=0)


def test_scheduled_event_names_the_rule():
    event = scheduled_event(rule_arn="arn:aws:events:us-east-1:1:rule/every-5", account="1", region="us-east-1", fired_at=0)
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"] == ["arn:aws:events:us-east-1:1:rule/every-5"] and event["detail"] == {}


def test_eb_1_target_gets_the_event_itself_without_input():
    event = {"detail": {"a": 1}}
    assert json.loads(target_payload(event)) == event


def test_target_input_replaces_the_event():
    assert target_payload({"detail": {}}, input='{"fixed": true}') == b'{"fixed": true}'


def test_target_input_path_selects_part_of_the_event():
    event = {"detail": {"items": [{"sku": "A"}], "weird-key": 3}}
    assert json.loads(target_payload(event, input_path="$.detail.items[0]")) == {"sku": "A"}
    assert json_path(event, "$.detail['weird-key']") == 3
    assert json_path(event, "$.missing.deeper") is None


def test_target_input_transformer_fills_the_template():
    event = {"detail": {"id": 7, "name": "Ann"}, "source": "app"}
    payload = target_payload(event, input_transformer={
        "input_paths": {"id": "$.detail.id", "name": "$.detail.name"},
        "input_template": '{"order": <id>, "greeting": "hello <name>", "raw": <name>}',
    })
    assert json.loads(payload) == {"order": 7, "greeting": "hello Ann", "raw": "Ann"}

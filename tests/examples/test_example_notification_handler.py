"""The notification-handler (Node.js): SNS and EventBridge events -> rendered email/SMS publishes.

Runs the real handler under `node` with a recording stub in place of the SNS client.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from example_support import EXAMPLES_DIR, REPO_ROOT

HANDLER = EXAMPLES_DIR / "notification-processor" / "src" / "index.js"
DRIVER = Path(__file__).parent / "node" / "notification_driver.js"
EMAIL_TOPIC = "arn:aws:sns:us-east-1:123456789012:notifications-prod-email"
SMS_TOPIC = "arn:aws:sns:us-east-1:123456789012:notifications-prod-sms"
USER_EVENTS = "arn:aws:sns:us-east-1:123456789012:notifications-prod-user-events"
# What AWS's nodejs runtimes bundle (the AWS SDK v3), installed by scripts/bootstrap.sh.
BUNDLED_NODE_MODULES = REPO_ROOT / "runtime" / "nodejs" / "node_modules"
ENV = {"EMAIL_TOPIC_ARN": EMAIL_TOPIC, "SMS_TOPIC_ARN": SMS_TOPIC, "DIGEST_RECIPIENT": "ops@example.com"}


def run_handler(event: dict, env: dict | None = None, *, real_sdk: bool = False) -> dict:
    """Run the handler under node: with a recording stub, or (real_sdk) with the AWS SDK v3."""
    if shutil.which("node") is None:
        pytest.skip("node not on PATH: the notification handler is Node.js")
    process_env = dict(os.environ)
    if real_sdk:
        if not (BUNDLED_NODE_MODULES / "@aws-sdk" / "client-sns").is_dir():
            pytest.skip(f"@aws-sdk/client-sns is not installed in {BUNDLED_NODE_MODULES} (run scripts/bootstrap.sh)")
        process_env["NODE_PATH"] = str(BUNDLED_NODE_MODULES)
    completed = subprocess.run(
        ["node", str(DRIVER), str(HANDLER), *(["--real"] if real_sdk else [])],
        input=json.dumps({"event": event, "env": ENV if env is None else env}),
        capture_output=True,
        text=True,
        timeout=60,
        env=process_env,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def sns_event(*messages: dict | str) -> dict:
    """An SNS -> Lambda event (one record per message), shaped like AWS's."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{USER_EVENTS}:0b5a7f4e-1c1d-4b7e-9a55-4b3f0b9a1c2d",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"95df01b4-ee98-5cb9-9903-4c221d41eb5{i}",
                    "TopicArn": USER_EVENTS,
                    "Subject": None,
                    "Message": m if isinstance(m, str) else json.dumps(m),
                    "Timestamp": "2026-01-01T00:00:00.000Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
            for i, m in enumerate(messages)
        ]
    }


def eventbridge_event(detail_type: str, detail: dict, source: str, resources: list[str]) -> dict:
    return {
        "version": "0",
        "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-01-01T09:00:00Z",
        "region": "us-east-1",
        "resources": resources,
        "detail": detail,
    }


def test_sns_welcome_email_is_rendered_and_published_to_the_email_topic():
    out = run_handler(sns_event({"type": "WELCOME", "channel": "email", "recipient": "ada@example.com",
                                 "data": {"name": "Ada"}}))
    assert out["error"] is None
    (params,) = out["published"]
    assert params["TopicArn"] == EMAIL_TOPIC
    assert params["Subject"] == "Welcome, Ada!"
    message = json.loads(params["Message"])
    assert message["recipient"] == "ada@example.com" and "Hi Ada" in message["text"]
    assert message["origin"] == USER_EVENTS
    assert params["MessageAttributes"]["channel"] == {"DataType": "String", "StringValue": "email"}
    assert out["result"] == {"published": [{"messageId": "stub-1", "channel": "email", "type": "WELCOME"}]}


def test_sms_goes_to_the_sms_topic_without_subject_and_within_160_chars():
    out = run_handler(sns_event({"type": "SYSTEM_ALERT", "channel": "sms", "recipient": "+821012345678",
                                 "data": {"message": "x" * 300, "severity": "critical"}}))
    (params,) = out["published"]
    assert params["TopicArn"] == SMS_TOPIC and "Subject" not in params
    text = json.loads(params["Message"])["text"]
    assert text.startswith("CRITICAL: ") and len(text) == 160


def test_eventbridge_pattern_event_detail_is_the_request():
    rule = "arn:aws:events:us-east-1:123456789012:rule/notifications-prod-notification-requests"
    event = eventbridge_event("NotificationRequested",
                              {"type": "ORDER_SHIPPED", "channel": "email", "recipient": "bo@example.com",
                               "data": {"order_id": "o-1", "tracking_number": "1Z999"}},
                              "notifications.app", [rule])
    out = run_handler(event)
    (params,) = out["published"]
    assert params["Subject"] == "Order o-1 has shipped"
    assert json.loads(params["Message"])["origin"] == rule


def test_eventbridge_schedule_sends_the_digest_to_the_configured_recipient():
    rule = "arn:aws:events:us-east-1:123456789012:rule/notifications-prod-scheduled-notifications"
    out = run_handler(eventbridge_event("Scheduled Event", {}, "aws.events", [rule]))
    (params,) = out["published"]
    message = json.loads(params["Message"])
    assert params["TopicArn"] == EMAIL_TOPIC
    assert message["type"] == "SCHEDULED_DIGEST" and message["recipient"] == "ops@example.com"
    assert "2026-01-01T09:00:00Z" in params["Subject"]


def test_invalid_request_fails_the_invocation_after_publishing_the_valid_ones():
    valid = {"type": "PASSWORD_RESET", "channel": "email", "recipient": "c@example.com", "data": {"code": "123456"}}
    out = run_handler(sns_event(valid, "not json", {"type": "NOPE", "channel": "email", "recipient": "d@example.com"}))
    assert len(out["published"]) == 1
    assert out["error"]["name"] == "InvalidNotification"
    assert "2 notification request(s) rejected" in out["error"]["message"]
    assert "not JSON" in out["error"]["message"] and "type must be one of" in out["error"]["message"]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"type": "WELCOME", "channel": "sms", "recipient": "010-1234", "data": {"name": "A"}}, "E.164"),
        ({"type": "WELCOME", "channel": "fax", "recipient": "a@example.com", "data": {"name": "A"}}, "channel must be"),
        ({"type": "WELCOME", "channel": "email", "recipient": "a@example.com", "data": {}}, "data.name required"),
    ],
)
def test_rejected_requests_name_the_problem(request_, message):
    out = run_handler(sns_event(request_))
    assert out["published"] == [] and message in out["error"]["message"]


def test_missing_destination_topic_setting_is_an_error():
    out = run_handler(sns_event({"type": "WELCOME", "channel": "email", "recipient": "a@example.com",
                                 "data": {"name": "A"}}), env={})
    assert "EMAIL_TOPIC_ARN is not set" in out["error"]["message"]


def test_exported_handler_publishes_through_the_real_sdk_to_an_sns_topic(moto_endpoint):
    """The packaged entry point (index.handler) with the runtime's AWS SDK, against the moto server."""
    clients = {"endpoint_url": moto_endpoint, "region_name": "us-east-1",
               "aws_access_key_id": "test", "aws_secret_access_key": "test"}
    sns, sqs = boto3.client("sns", **clients), boto3.client("sqs", **clients)
    email_topic = sns.create_topic(Name="sdk-test-email")["TopicArn"]
    sms_topic = sns.create_topic(Name="sdk-test-sms")["TopicArn"]
    outbox = sqs.create_queue(QueueName="sdk-test-outbox")["QueueUrl"]
    outbox_arn = sqs.get_queue_attributes(QueueUrl=outbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=email_topic, Protocol="sqs", Endpoint=outbox_arn,
                  Attributes={"RawMessageDelivery": "true"})
    env = {"EMAIL_TOPIC_ARN": email_topic, "SMS_TOPIC_ARN": sms_topic, "AWS_ENDPOINT_URL": moto_endpoint,
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}
    out = run_handler(sns_event({"type": "WELCOME", "channel": "email", "recipient": "ada@example.com",
                                 "data": {"name": "Ada"}}), env=env, real_sdk=True)
    assert out["error"] is None, out["error"]
    (published,) = out["result"]["published"]
    received = sqs.receive_message(QueueUrl=outbox, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert [json.loads(m["Body"])["subject"] for m in received] == ["Welcome, Ada!"]
    assert published["messageId"]

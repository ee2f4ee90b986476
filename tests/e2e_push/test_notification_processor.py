"""examples/notification-processor end to end: SNS x2 and EventBridge into the Node.js handler
(code from S3), its publishes onto the email/SMS topics, least privilege for sns:Publish, and
the module's dashboard rendered by the CLI.

One sandbox for the module (``create_outbox_queue`` subscribes a queue to both destination
topics, so what the handler published can be read back). It runs on a ``FakeClock`` that starts
at the wall time and only the schedule test moves, so the scheduled rule fires when told to.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from lambda_processor.clock import FakeClock

from .push_support import CLI, QueueReader, RecordedInvocations, client, json_lines, log_messages, running_sandbox, wait_for

pytestmark = pytest.mark.e2e

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCHEDULE_MINUTES = 1
DIGEST_RECIPIENT = "notifications@example.com"  # the example's default digest_recipient


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    """The sandbox's clock: wall time at the start, then moved only by the schedule test."""
    return FakeClock(start=time.time())


@pytest.fixture(scope="module")
def notification(examples_copy: Path, clock: FakeClock):
    """The example applied with its outbox queue, plus a recorder of what the function is handed."""
    variables = {"create_outbox_queue": "true", "schedule_expression": f"rate({SCHEDULE_MINUTES} minute)"}
    with running_sandbox(examples_copy / "notification-processor", variables=variables, clock=clock) as sandbox:
        recorder = RecordedInvocations(sandbox)
        yield sandbox, recorder


@pytest.fixture(scope="module")
def outbox(notification) -> QueueReader:
    """Reader of the queue subscribed (raw delivery) to the email and SMS topics."""
    sandbox, _ = notification
    return QueueReader(client(sandbox, "sqs"), sandbox.outputs()["outbox_queue_url"])


def request(kind: str, channel: str, recipient: str, **data: str) -> dict:
    """A notification request as the handler's README describes it."""
    return {"type": kind, "channel": channel, "recipient": recipient, "data": data}


def published_to(outbox: QueueReader, recipient: str) -> list[dict]:
    """The outbox messages (raw delivery: the handler's published JSON) for one recipient."""
    return wait_for(f"a notification for {recipient} in the outbox",
                    lambda: outbox.matching(lambda m: json.loads(m["Body"]).get("recipient") == recipient))


def test_sns_2_publish_to_user_events_hands_the_exact_sns_event_and_reaches_the_email_topic(notification, outbox):
    sandbox, recorder = notification
    outputs = sandbox.outputs()
    recipient = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    sns = client(sandbox, "sns")
    response = sns.publish(TopicArn=outputs["user_events_topic_arn"], Subject="welcome",
                           Message=json.dumps(request("WELCOME", "email", recipient, name="Ada")))

    [message] = published_to(outbox, recipient)
    body = json.loads(message["Body"])
    assert body["type"] == "WELCOME"
    assert body["origin"] == outputs["user_events_topic_arn"]
    assert message["MessageAttributes"]["channel"]["StringValue"] == "email"
    assert message["MessageAttributes"]["type"]["StringValue"] == "WELCOME"

    # The event the function was handed is SNS's, with the real ids (SNS-2).
    function = outputs["function_name"]
    events = [e for e in recorder.of(function)
              if e.get("Records") and e["Records"][0].get("Sns", {}).get("MessageId") == response["MessageId"]]
    assert len(events) == 1
    [record] = events[0]["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == outputs["sns_subscription_arns"][0]
    assert record["EventSubscriptionArn"].startswith(outputs["user_events_topic_arn"] + ":")
    sns_part = record["Sns"]
    assert sns_part["Type"] == "Notification"
    assert sns_part["TopicArn"] == outputs["user_events_topic_arn"]
    assert sns_part["Subject"] == "welcome"
    assert json.loads(sns_part["Message"])["recipient"] == recipient
    for signature_field in ("Timestamp", "SignatureVersion", "Signature", "SigningCertUrl", "UnsubscribeUrl"):
        assert sns_part[signature_field], signature_field

    # The handler logged the publish with its origin.
    published = wait_for("the handler's notification_published log line", lambda: [
        line for line in json_lines(log_messages(sandbox, function))
        if line.get("event") == "notification_published" and line.get("origin") == outputs["user_events_topic_arn"]])
    assert published[0]["channel"] == "email"


def test_sns_1_publish_to_system_events_reaches_the_sms_topic(notification, outbox):
    sandbox, _ = notification
    outputs = sandbox.outputs()
    number = "+1555" + str(uuid.uuid4().int)[:7]
    client(sandbox, "sns").publish(TopicArn=outputs["system_events_topic_arn"],
                                   Message=json.dumps(request("SYSTEM_ALERT", "sms", number, message="disk full")))

    [message] = published_to(outbox, number)
    body = json.loads(message["Body"])
    assert body["type"] == "SYSTEM_ALERT"
    assert body["origin"] == outputs["system_events_topic_arn"]
    assert message["MessageAttributes"]["channel"]["StringValue"] == "sms"
    # The outbox is subscribed to both topics: this one came through the SMS topic.
    assert message["MessageAttributes"]["type"]["StringValue"] == "SYSTEM_ALERT"


def test_eb_2_matching_event_invokes_the_handler_with_the_eventbridge_shape(notification, outbox):
    sandbox, recorder = notification
    outputs = sandbox.outputs()
    recipient = f"grace-{uuid.uuid4().hex[:8]}@example.com"
    detail = request("PASSWORD_RESET", "email", recipient, code="493817")
    events = client(sandbox, "events")
    put = events.put_events(Entries=[
        {"Source": "notifications.app", "DetailType": "NotificationRequested", "Detail": json.dumps(detail)},
        # Same detail, other detail-type: the rule's pattern does not match it.
        {"Source": "notifications.app", "DetailType": "SomethingElse",
         "Detail": json.dumps(request("PASSWORD_RESET", "email", "nobody-" + recipient))},
    ])
    assert put["FailedEntryCount"] == 0

    [message] = published_to(outbox, recipient)
    assert json.loads(message["Body"])["type"] == "PASSWORD_RESET"
    [event] = [e for e in recorder.of(outputs["function_name"]) if e.get("id") == put["Entries"][0]["EventId"]]
    assert event["source"] == "notifications.app"
    assert event["detail-type"] == "NotificationRequested"
    assert event["detail"] == detail
    # EB-2: a PutEvents event carries the entry's Resources (none here), not the rule's ARN.
    assert event["resources"] == []
    assert event["version"] == "0" and event["account"] == sandbox.aws.account_id
    assert not [e for e in recorder.of(outputs["function_name"]) if e.get("id") == put["Entries"][1]["EventId"]]
    assert not outbox.matching(lambda m: json.loads(m["Body"]).get("recipient") == "nobody-" + recipient)


def test_least_privilege_role_publishes_to_the_two_allowed_topics_only(notification):
    sandbox, _ = notification
    outputs = sandbox.outputs()
    credentials = sandbox.ports.mint_role_credentials(outputs["iam_role_arn"], session_name="e2e-least-privilege")
    sns = client(sandbox, "sns", credentials)
    for allowed in (outputs["email_topic_arn"], outputs["sms_topic_arn"]):
        assert sns.publish(TopicArn=allowed, Message=json.dumps({"recipient": "allowed"}))["MessageId"]
    for denied in (outputs["user_events_topic_arn"], outputs["system_events_topic_arn"]):
        with pytest.raises(ClientError) as raised:
            sns.publish(TopicArn=denied, Message="{}")
        assert raised.value.response["Error"]["Code"] in ("AuthorizationError", "AccessDenied", "AccessDeniedException")
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_dashboard_command_renders_the_deployed_dashboard_to_png(notification, outbox, tmp_path):
    sandbox, _ = notification
    outputs = sandbox.outputs()
    sns = client(sandbox, "sns")
    recipients = [f"dash-{i}-{uuid.uuid4().hex[:6]}@example.com" for i in range(3)]
    for recipient in recipients:
        sns.publish(TopicArn=outputs["user_events_topic_arn"],
                    Message=json.dumps(request("WELCOME", "email", recipient, name="Dash")))
    for recipient in recipients:
        published_to(outbox, recipient)
    sandbox.flush()

    out = tmp_path / "notifications.png"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run([str(CLI), "dashboard", outputs["dashboard_name"], "--endpoint", sandbox.aws.endpoint_url,
                             "--out", str(out)], capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    data = out.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 800 and height >= 400
    assert len(data) > 20_000  # charts with axes and text, not an empty canvas


def test_eb_schedule_rate_rule_fires_on_the_runtime_clock_and_the_digest_is_published(notification, outbox, clock):
    sandbox, recorder = notification
    outputs = sandbox.outputs()
    function = outputs["function_name"]
    rule_arn = outputs["scheduled_rule_arn"]

    def scheduled() -> list[dict]:
        return [e for e in recorder.of(function) if e.get("detail-type") == "Scheduled Event"]

    assert scheduled() == []  # nothing fires while the clock stands still
    clock.advance(SCHEDULE_MINUTES * 60)
    [event] = wait_for("the scheduled invocation", scheduled)
    assert event["source"] == "aws.events"
    assert event["resources"] == [rule_arn]
    assert event["detail"] == {}
    fired_at = datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
    assert abs(fired_at - clock.now()) <= 1  # fired at the runtime's time, not the wall clock's

    [message] = wait_for("the digest in the outbox", lambda: outbox.matching(
        lambda m: json.loads(m["Body"]).get("type") == "SCHEDULED_DIGEST"))
    body = json.loads(message["Body"])
    assert body["recipient"] == DIGEST_RECIPIENT
    assert body["origin"] == rule_arn
    assert message["MessageAttributes"]["channel"]["StringValue"] == "email"


def test_sns_filter_policy_set_through_the_api_is_honoured(notification, outbox):
    sandbox, recorder = notification
    outputs = sandbox.outputs()
    sns = client(sandbox, "sns")
    subscription = outputs["sns_subscription_arns"][1]  # the function's system-events subscription
    sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"priority": ["high"]}))
    low, high = (f"+1555{str(uuid.uuid4().int)[:7]}" for _ in range(2))
    for number, priority in ((low, "low"), (high, "high")):
        sns.publish(TopicArn=outputs["system_events_topic_arn"],
                    Message=json.dumps(request("SYSTEM_ALERT", "sms", number, message=priority)),
                    MessageAttributes={"priority": {"DataType": "String", "StringValue": priority}})

    published_to(outbox, high)
    handed = [json.loads(e["Records"][0]["Sns"]["Message"])["recipient"] for e in recorder.of(outputs["function_name"])
              if e.get("Records")]
    assert high in handed and low not in handed
    [event] = [e for e in recorder.of(outputs["function_name"])
               if e.get("Records") and high in e["Records"][0]["Sns"]["Message"]]
    assert event["Records"][0]["Sns"]["MessageAttributes"] == {"priority": {"Type": "String", "Value": "high"}}


def test_eb_5_eb_6_rule_added_through_the_api_needs_a_permission_then_delivers_its_constant_input(notification, outbox):
    sandbox, recorder = notification
    outputs = sandbox.outputs()
    events, sqs, lam = client(sandbox, "events"), client(sandbox, "sqs"), client(sandbox, "lambda")
    name = f"e2e-api-rule-{uuid.uuid4().hex[:6]}"
    rule_arn = events.put_rule(Name=name, EventPattern=json.dumps({"source": ["e2e.api"]}))["RuleArn"]
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # The target's Input replaces the matched event with a constant (an event the handler understands).
    constant_recipient = f"constant-{uuid.uuid4().hex[:8]}@example.com"
    constant = {"version": "0", "source": "e2e.constant", "detail-type": "NotificationRequested", "resources": [],
                "detail": request("WELCOME", "email", constant_recipient, name="Constant")}
    events.put_targets(Rule=name, Targets=[{"Id": "handler", "Arn": outputs["function_arn"],
                                            "Input": json.dumps(constant), "DeadLetterConfig": {"Arn": dlq_arn}}])
    matched = request("WELCOME", "email", f"matched-{uuid.uuid4().hex[:8]}@example.com", name="Matched")

    # EB-6: without a resource-policy grant for this rule the target fails; EB-5: straight to its DLQ.
    events.put_events(Entries=[{"Source": "e2e.api", "DetailType": "x", "Detail": json.dumps(matched)}])
    [dead] = wait_for("the refused event in the rule's DLQ", lambda: QueueReader(sqs, dlq_url).matching(lambda m: True))
    assert json.loads(dead["Body"])["detail"] == matched
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_PERMISSIONS"
    assert attributes["RULE_ARN"] == rule_arn
    assert attributes["TARGET_ARN"] == outputs["function_arn"]
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert constant not in recorder.of(outputs["function_name"])

    # AddPermission applies at once: the next matching event is delivered, as the constant input.
    lam.add_permission(FunctionName=outputs["function_name"], StatementId=name, Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=rule_arn)
    events.put_events(Entries=[{"Source": "e2e.api", "DetailType": "x", "Detail": json.dumps(matched)}])
    [message] = published_to(outbox, constant_recipient)
    assert json.loads(message["Body"])["type"] == "WELCOME"
    assert recorder.of(outputs["function_name"]).count(constant) == 1
    assert not [e for e in recorder.of(outputs["function_name"]) if e.get("detail") == matched]

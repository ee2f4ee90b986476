"""examples/order-processor end to end: a failing handler moves the module's Errors alarm to
ALARM, CloudWatch's notification reaches the alerts topic (a queue subscribed to it), the CLI
lists the alarm; and the function's role is least privilege on DynamoDB.

One sandbox for the module, with the example's own settings (error_threshold 5 in 300 s,
alarm_actions = the alerts topic).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from .push_support import CLI, QueueReader, client, running_sandbox, wait_for

pytestmark = pytest.mark.e2e

ERROR_THRESHOLD = 5  # the example's monitoring_config.error_threshold
ALARM_PERIOD = 300  # the module's default monitoring_config.period
# The Errors alarm looks at the period in progress; starting the test with at least this much of
# it left keeps the errors and every evaluation (ours and the runner's, every 10 s) in one period.
PERIOD_MARGIN_SECONDS = 45


@pytest.fixture(scope="module")
def orders(examples_copy: Path):
    with running_sandbox(examples_copy / "order-processor") as sandbox:
        yield sandbox


def failing_payload() -> bytes:
    """An SQS-shaped event whose record has no messageId: the handler raises KeyError (a function error)."""
    return json.dumps({"Records": [{"body": "{}"}]}).encode()


def subscribe_queue(sandbox, topic_arn: str) -> QueueReader:
    """A new queue subscribed to ``topic_arn`` (SNS envelope, not raw)."""
    sqs = client(sandbox, "sqs")
    url = sqs.create_queue(QueueName=f"e2e-alarm-watch-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client(sandbox, "sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return QueueReader(sqs, url)


def wait_for_fresh_period(period: int, margin: float) -> None:
    """Sleep into the next alarm period when less than ``margin`` seconds of this one remain."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.5)


def test_alm_1_function_errors_move_the_errors_alarm_to_alarm_and_notify_the_alarm_topic(orders):
    outputs = orders.outputs()
    function = outputs["function_name"]
    alarm_name = outputs["cloudwatch_alarms"]["errors"]["name"]
    topic_arn = outputs["alerts_topic_arn"]
    watcher = subscribe_queue(orders, topic_arn)
    cloudwatch = client(orders, "cloudwatch")
    [before] = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    assert before["StateValue"] in ("INSUFFICIENT_DATA", "OK")  # ALM-1: never ALARM before any error
    assert before["AlarmActions"] == [topic_arn]

    wait_for_fresh_period(ALARM_PERIOD, PERIOD_MARGIN_SECONDS)
    lam = client(orders, "lambda")
    for _ in range(ERROR_THRESHOLD):
        response = lam.invoke(FunctionName=function, Payload=failing_payload())
        assert response["FunctionError"] == "Unhandled"
        assert json.loads(response["Payload"].read())["errorType"] == "KeyError"
    orders.flush()
    orders.alarm_runner.evaluate_all()

    [after] = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    assert after["StateValue"] == "ALARM"
    assert "Threshold Crossed" in after["StateReason"]
    assert f"[{float(ERROR_THRESHOLD)}" in after["StateReason"]  # the datapoint: 5 errors in the period

    [notification] = wait_for("the ALARM notification on the alerts topic", lambda: watcher.matching(
        lambda m: json.loads(json.loads(m["Body"]).get("Message", "{}")).get("AlarmName") == alarm_name))
    envelope = json.loads(notification["Body"])
    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"] == topic_arn
    assert envelope["Subject"] == f'ALARM: "{alarm_name}" in US East (N. Virginia)'
    message = json.loads(envelope["Message"])
    assert message["NewStateValue"] == "ALARM"
    assert message["OldStateValue"] in ("INSUFFICIENT_DATA", "OK")
    assert message["AlarmArn"] == after["AlarmArn"]
    assert message["AWSAccountId"] == orders.aws.account_id
    assert message["NewStateReason"] == after["StateReason"]
    trigger = message["Trigger"]
    assert (trigger["Namespace"], trigger["MetricName"], trigger["Statistic"]) == ("AWS/Lambda", "Errors", "SUM")
    assert trigger["Dimensions"] == [{"value": function, "name": "FunctionName"}]
    assert trigger["Threshold"] == float(ERROR_THRESHOLD)
    assert trigger["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert trigger["Period"] == ALARM_PERIOD

    # ALM-1: actions run on transitions only; another pass in ALARM publishes nothing more.
    orders.alarm_runner.evaluate_all()
    assert len(watcher.matching(lambda m: True)) == 1


def test_alarms_command_lists_the_alarm_state_and_reason(orders):
    outputs = orders.outputs()
    alarm_name = outputs["cloudwatch_alarms"]["errors"]["name"]
    [alarm] = client(orders, "cloudwatch").describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["COLUMNS"] = "400"
    result = subprocess.run([str(CLI), "alarms", "--endpoint", orders.aws.endpoint_url],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    [row] = [line for line in result.stdout.splitlines() if alarm_name + " " in line]
    assert "AWS/Lambda/Errors" in row
    assert alarm["StateValue"] in row
    assert alarm["StateReason"][:40] in row
    for kind in ("duration", "throttles"):
        assert outputs["cloudwatch_alarms"][kind]["name"] in result.stdout


def test_least_privilege_role_writes_its_table_but_is_denied_on_another(orders):
    outputs = orders.outputs()
    role_arn = outputs["iam_role_arn"]
    other = f"e2e-not-granted-{uuid.uuid4().hex[:8]}"
    client(orders, "dynamodb").create_table(
        TableName=other, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}])

    credentials = orders.ports.mint_role_credentials(role_arn, session_name="e2e-least-privilege")
    dynamodb = client(orders, "dynamodb", credentials)
    item = {"order_id": {"S": "least-privilege-1"}, "total": {"N": "1"}}
    dynamodb.put_item(TableName=outputs["orders_table_name"], Item=item)
    assert client(orders, "dynamodb").get_item(TableName=outputs["orders_table_name"],
                                               Key={"order_id": item["order_id"]})["Item"] == item

    with pytest.raises(ClientError) as raised:
        dynamodb.put_item(TableName=other, Item=item)
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "dynamodb:PutItem" in raised.value.response["Error"]["Message"]
    assert "Item" not in client(orders, "dynamodb").get_item(TableName=other, Key={"order_id": item["order_id"]})

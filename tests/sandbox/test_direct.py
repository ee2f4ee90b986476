"""In-process helpers the data plane uses: logs, metrics, alarm state, SNS publish."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from lambda_processor.sandbox.moto_adapter import direct

FUNCTION_DIMENSION = [{"Name": "FunctionName", "Value": "orders"}]


@pytest.fixture
def where(aws) -> dict[str, str]:
    return {"account_id": aws.account_id, "region": aws.region}


def test_logs_put_events_creates_group_and_stream_and_keeps_order(client, where):
    direct.logs_put_events(
        "/aws/lambda/orders",
        "2026/11/27/[$LATEST]abc",
        [{"timestamp": 2_000, "message": "END"}, {"timestamp": 1_000, "message": "START"}],
        **where,
    )
    direct.logs_put_events("/aws/lambda/orders", "2026/11/27/[$LATEST]abc", [{"timestamp": 3_000, "message": "REPORT"}], **where)
    logs = client("logs")
    events = logs.get_log_events(
        logGroupName="/aws/lambda/orders", logStreamName="2026/11/27/[$LATEST]abc", startFromHead=True
    )["events"]
    assert [event["message"] for event in events] == ["START", "END", "REPORT"]


def test_metrics_read_back_with_get_metric_statistics_and_get_metric_data(client, where):
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    direct.cloudwatch_put_metric_data(
        "AWS/Lambda",
        [
            {"MetricName": "Errors", "Dimensions": FUNCTION_DIMENSION, "Value": 2.0, "Unit": "Count", "Timestamp": now.timestamp() + 5},
            {"MetricName": "Errors", "Dimensions": FUNCTION_DIMENSION, "Value": 3.0, "Unit": "Count", "Timestamp": now + timedelta(seconds=10)},
        ],
        **where,
    )
    cloudwatch = client("cloudwatch")
    window = {"StartTime": now - timedelta(minutes=1), "EndTime": now + timedelta(minutes=1)}
    statistics = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda", MetricName="Errors", Dimensions=FUNCTION_DIMENSION, Period=60, Statistics=["Sum"], **window
    )
    assert [point["Sum"] for point in statistics["Datapoints"]] == [5.0]
    data = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "errors",
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors", "Dimensions": FUNCTION_DIMENSION},
                    "Period": 60,
                    "Stat": "Sum",
                },
            }
        ],
        **window,
    )
    assert data["MetricDataResults"][0]["Values"] == [5.0]


def make_alarm(client, name: str = "orders-errors") -> None:
    client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=FUNCTION_DIMENSION,
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def test_alm_1_a_new_alarm_starts_in_insufficient_data(client):
    make_alarm(client)
    [alarm] = client("cloudwatch").describe_alarms(AlarmNames=["orders-errors"])["MetricAlarms"]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"


def test_put_alarm_state_shows_in_describe_alarms_and_history(client, where):
    make_alarm(client)
    direct.put_alarm_state("orders-errors", "OK", "Threshold Crossed: no datapoints were breaching", {"v": 0}, **where)
    direct.put_alarm_state("orders-errors", "ALARM", "Threshold Crossed: 1 datapoint [3.0]", {"v": 3}, **where)
    cloudwatch = client("cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmNames=["orders-errors"])["MetricAlarms"]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"] == "Threshold Crossed: 1 datapoint [3.0]"
    history = cloudwatch.describe_alarm_history(AlarmName="orders-errors", HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [item["HistorySummary"] for item in history] == [
        "Alarm updated from OK to ALARM",
        "Alarm updated from INSUFFICIENT_DATA to OK",
    ]


def test_updating_an_alarm_keeps_its_state(client, where):
    make_alarm(client)
    direct.put_alarm_state("orders-errors", "ALARM", "breaching", {}, **where)
    make_alarm(client)  # Terraform re-applies the alarm
    [alarm] = client("cloudwatch").describe_alarms(AlarmNames=["orders-errors"])["MetricAlarms"]
    assert alarm["StateValue"] == "ALARM"


def test_sns_publish_in_process_reaches_subscribers(hooks, client, make_function):
    function = make_function("alarm-handler")
    sns = client("sns")
    topic_arn = sns.create_topic(Name="alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function["FunctionArn"])
    message_id = direct.sns_publish(
        topic_arn, '{"AlarmName": "orders-errors"}', subject="ALARM", attributes={"k": {"DataType": "String", "StringValue": "v"}}
    )
    [delivery] = hooks.sns_deliveries
    assert delivery["message_id"] == message_id
    assert delivery["subject"] == "ALARM"
    assert delivery["message_attributes"] == {"k": {"Type": "String", "Value": "v"}}


def test_backend_accessors_return_the_sandbox_backends(aws, client):
    client("sqs").create_queue(QueueName="seen-in-process")
    with aws.backend_lock:
        assert "seen-in-process" in direct.sqs_backend(aws.account_id, aws.region).queues
        assert direct.lambda_backend(aws.account_id, aws.region).list_functions() == []

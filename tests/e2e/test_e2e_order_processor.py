"""examples/order-processor end to end: orders through the real SQS mapping into DynamoDB.

Sends good, fail-once and poison orders (demo.plan_orders) and checks what landed: every good
and fail-once order is in the table exactly once, every poison order is in the DLQ exactly once,
nothing else anywhere. Also the handler's view (a true ApproximateReceiveCount), the function's
log group (START/END/REPORT), its AWS/Lambda metrics, and that moto's own mapping stays off.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from e2e_support import InvocationRecorder, boto_client, drain, log_messages, queue_depth, running_sandbox, wait_until

from lambda_processor.demo import plan_orders

pytestmark = pytest.mark.e2e

# Short, valid settings (visibility >= timeout, SQS-9) so a retry takes seconds; the 2 s margin lets a batch that
# runs up to its timeout be deleted before it becomes visible again. maxReceiveCount 2: a fail-once order succeeds
# on receive 2; a poison order fails twice and is redriven.
VARIABLES = {"function_timeout": "6", "queue_visibility_timeout_seconds": "8", "max_receive_count": "2"}
ORDERS, POISON, TRANSIENT = 60, 3, 5
MESSAGE_ATTRIBUTES = {"Channel": {"DataType": "String", "StringValue": "web"},
                      "Priority": {"DataType": "Number", "StringValue": "2"}}


@pytest.fixture(scope="module")
def order_run(e2e_workspace):
    """The example applied once; the orders sent and processed; what landed, read once."""
    with running_sandbox(e2e_workspace / "examples" / "order-processor", VARIABLES) as sandbox:
        recorder = InvocationRecorder.attach(sandbox)
        outputs = sandbox.outputs()
        plan = plan_orders(ORDERS, POISON, TRANSIENT, seed=11)
        sqs = boto_client(sandbox, "sqs")
        dynamodb = boto_client(sandbox, "dynamodb")
        sent_ids: dict[str, str] = {}  # order_id -> messageId
        send_responses: dict[str, dict] = {}  # messageId -> SendMessage response (MD5s)
        for order in plan.all_orders:
            response = sqs.send_message(QueueUrl=outputs["queue_url"], MessageBody=json.dumps(order),
                                        MessageAttributes=MESSAGE_ATTRIBUTES)
            sent_ids[order["order_id"]] = response["MessageId"]
            send_responses[response["MessageId"]] = response
        dead: list[dict] = []

        def settled() -> bool:
            dead.extend(drain(sqs, outputs["dlq_url"]))
            return queue_depth(sqs, outputs["queue_url"]) == 0 and len(dead) >= POISON

        wait_until(settled, lambda: f"{len(dead)} in the DLQ, {queue_depth(sqs, outputs['queue_url'])} in the queue")
        dead.extend(drain(sqs, outputs["dlq_url"]))
        sandbox.flush()
        yield {"sandbox": sandbox, "recorder": recorder, "outputs": outputs, "plan": plan, "sent_ids": sent_ids,
               "send_responses": send_responses,
               "dead": dead, "rows": _scan(dynamodb, outputs["orders_table_name"])}


def _scan(dynamodb, table: str) -> list[dict]:
    items, kwargs = [], {"TableName": table}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_sqs_45_every_good_order_is_stored_exactly_once(order_run):
    plan = order_run["plan"]
    stored = [item["order_id"]["S"] for item in order_run["rows"]]
    expected = sorted(o["order_id"] for o in plan.good + plan.transient)
    assert sorted(stored) == expected  # nothing missing, nothing extra, no duplicates
    by_id = {item["order_id"]["S"]: item for item in order_run["rows"]}
    for order in plan.good + plan.transient:
        item = by_id[order["order_id"]]
        assert item["status"]["S"] == "ACCEPTED"
        assert item["source_message_id"]["S"] == order_run["sent_ids"][order["order_id"]]
        assert "poison" not in item and "fail_once" not in item


def test_sqs_51_every_poison_order_is_in_the_dlq_exactly_once(order_run):
    plan = order_run["plan"]
    dead = order_run["dead"]
    assert sorted(json.loads(m["Body"])["order_id"] for m in dead) == sorted(o["order_id"] for o in plan.poison)
    assert sorted(m["MessageId"] for m in dead) == sorted(order_run["sent_ids"][o["order_id"]] for o in plan.poison)
    # The redrive moves the message itself: its attributes come along.
    assert all(m["MessageAttributes"] == MESSAGE_ATTRIBUTES for m in dead), [m["MessageAttributes"] for m in dead]


def test_sqs_61_event_carries_a_true_approximate_receive_count(order_run):
    recorder, outputs, plan, sent_ids = order_run["recorder"], order_run["outputs"], order_run["plan"], order_run["sent_ids"]
    deliveries = recorder.deliveries(outputs["function_name"])
    counts = {message_id: [count for count, _ in seen] for message_id, seen in deliveries.items()}
    # Fail-once and poison orders are reported in batchItemFailures on receive 1 and come back as receive 2;
    # a fail-once order then succeeds, a poison order is redriven instead of a third delivery.
    for order in plan.transient + plan.poison:
        assert counts[sent_ids[order["order_id"]]] == [1, 2], order["order_id"]
    for order in plan.good:
        assert counts[sent_ids[order["order_id"]]] == [1], order["order_id"]
    assert set(counts) == set(sent_ids.values())


def test_sqs_60_sqs_62_records_are_built_from_the_real_message(order_run):
    outputs, plan, sent_ids = order_run["outputs"], order_run["plan"], order_run["sent_ids"]
    deliveries = order_run["recorder"].deliveries(outputs["function_name"])
    message_id = sent_ids[plan.good[0]["order_id"]]
    [(_, call)] = deliveries[message_id]
    record = next(r for r in call.records if r["messageId"] == message_id)
    sent = order_run["send_responses"][message_id]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == outputs["queue_arn"]
    assert record["awsRegion"] == "us-east-1"
    assert json.loads(record["body"]) == plan.good[0]  # the raw body string, not parsed
    assert record["receiptHandle"]
    assert record["md5OfBody"] == sent["MD5OfMessageBody"]
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["messageAttributes"] == {
        "Channel": {"stringValue": "web", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
        "Priority": {"stringValue": "2", "stringListValues": [], "binaryListValues": [], "dataType": "Number"},
    }
    attributes = record["attributes"]
    assert {"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(attributes)
    assert all(isinstance(value, str) for value in attributes.values())
    assert int(attributes["SentTimestamp"]) <= int(attributes["ApproximateFirstReceiveTimestamp"])


def test_inv_20_log_group_has_start_end_report_lines_and_init_duration_on_cold_start(order_run):
    sandbox, recorder, outputs = order_run["sandbox"], order_run["recorder"], order_run["outputs"]
    function_name = outputs["function_name"]
    messages = log_messages(boto_client(sandbox, "logs"), function_name)
    calls = recorder.for_function(function_name)
    starts = [m for m in messages if m.startswith("START RequestId:")]
    ends = [m for m in messages if m.startswith("END RequestId:")]
    reports = [m for m in messages if m.startswith("REPORT RequestId:")]
    assert len(starts) == len(ends) == len(reports) == len(calls)
    for report in reports:
        for part in ("Duration:", "Billed Duration:", "Memory Size: 512 MB", "Max Memory Used:"):
            assert part in report, report
    cold = [c for c in calls if c.result.cold_start]
    assert cold, "the first invocation of each environment is a cold start"
    for call in calls:
        report = next(r for r in reports if call.result.request_id in r)
        assert ("Init Duration:" in report) == call.result.cold_start, report
    assert any('"event": "order_stored"' in m for m in messages), "the handler's own output is in the log group"


def test_aws_lambda_metrics_are_readable_with_get_metric_statistics(order_run):
    sandbox, recorder, outputs = order_run["sandbox"], order_run["recorder"], order_run["outputs"]
    function_name = outputs["function_name"]
    calls = recorder.for_function(function_name)
    cloudwatch = boto_client(sandbox, "cloudwatch")
    now = datetime.now(timezone.utc)

    def statistic(metric: str, stat: str) -> float:
        points = cloudwatch.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName=metric, Dimensions=[{"Name": "FunctionName", "Value": function_name}],
            StartTime=now - timedelta(minutes=15), EndTime=now + timedelta(minutes=1), Period=60, Statistics=[stat],
        )["Datapoints"]
        return sum(p[stat] for p in points)

    assert statistic("Invocations", "Sum") == len(calls)
    # Partial-batch failures are successful invocations; this handler never raises.
    assert statistic("Errors", "Sum") == sum(1 for c in calls if c.failed) == 0
    assert statistic("Duration", "SampleCount") == len(calls)
    assert statistic("Duration", "Maximum") > 0


def test_list_event_source_mappings_finds_the_mapping_by_function_name(order_run):
    outputs = order_run["outputs"]
    lambda_client = boto_client(order_run["sandbox"], "lambda")
    mappings = lambda_client.list_event_source_mappings(FunctionName=outputs["function_name"])["EventSourceMappings"]
    assert [m["EventSourceArn"] for m in mappings] == [outputs["queue_arn"]]


def test_status_reports_the_function_and_its_queues(order_run):
    sandbox, recorder, outputs = order_run["sandbox"], order_run["recorder"], order_run["outputs"]
    (fn,) = [f for f in sandbox.status()["functions"] if f["name"] == outputs["function_name"]]
    calls = recorder.for_function(outputs["function_name"])
    assert (fn["invocations"], fn["errors"], fn["throttles"], fn["in_flight"]) == (len(calls), 0, 0, 0)
    assert fn["cold_starts"] == sum(c.result.cold_start for c in calls)
    assert list(fn["source_queues"]) == [outputs["queue_arn"]]
    assert list(fn["dlqs"]) == [outputs["dlq_arn"]]
    assert fn["source_queues"][outputs["queue_arn"]].get("visible", 0) == 0
    assert fn["dlqs"][outputs["dlq_arn"]].get("visible", 0) == 0  # drained by the fixture


def test_moto_event_source_mapping_stays_off(order_run):
    """With the poller stopped nobody receives a new message, although the mapping still exists."""
    sandbox, outputs = order_run["sandbox"], order_run["outputs"]
    for poller in sandbox.pollers:
        poller.stop()
    lambda_client = boto_client(sandbox, "lambda")
    mappings = lambda_client.list_event_source_mappings(EventSourceArn=outputs["queue_arn"])["EventSourceMappings"]
    assert [(m["FunctionArn"], m["State"]) for m in mappings] == [(outputs["function_arn"], "Enabled")]
    sqs = boto_client(sandbox, "sqs")
    calls_before = len(order_run["recorder"].calls)
    order = {"order_id": "left-alone", "customer_id": "c-1", "items": [{"sku": "A", "quantity": 1, "price": 1}], "total": 1}
    sqs.send_message(QueueUrl=outputs["queue_url"], MessageBody=json.dumps(order))
    time.sleep(3)  # moto's own mapping would have invoked the function during the send or right after
    assert queue_depth(sqs, outputs["queue_url"]) == 1
    received = drain(sqs, outputs["queue_url"])
    assert [json.loads(m["Body"])["order_id"] for m in received] == ["left-alone"]
    assert received[0]["Attributes"]["ApproximateReceiveCount"] == "1", "nobody received it before this test"
    assert len(order_run["recorder"].calls) == calls_before
    stored = boto_client(sandbox, "dynamodb").get_item(TableName=outputs["orders_table_name"],
                                                       Key={"order_id": {"S": "left-alone"}})
    assert "Item" not in stored

"""The order-processor handler: validation, idempotent writes and partial batch responses."""

from __future__ import annotations

import json

import boto3
import pytest
from example_support import EXAMPLES_DIR, load_module, sqs_record

HANDLER = EXAMPLES_DIR / "order-processor" / "src" / "app.py"
TABLE = "ecommerce-prod-orders"


def order(order_id: str = "o-1", **extra) -> dict:
    return {
        "order_id": order_id,
        "customer_id": "c-42",
        "items": [{"sku": "BOOK-1", "quantity": 2, "price": 12.5}, {"sku": "PEN", "quantity": 1, "price": 0.99}],
        "total": 25.99,
        **extra,
    }


@pytest.fixture
def app(aws_sandbox, monkeypatch):
    monkeypatch.setenv("DB_TABLE_NAME", TABLE)
    boto3.client("dynamodb").create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
    )
    return load_module(HANDLER)


def stored(order_id: str) -> dict | None:
    return boto3.resource("dynamodb").Table(TABLE).get_item(Key={"order_id": order_id}).get("Item")


def test_sqs_46_valid_batch_stores_every_order_and_reports_no_failures(app):
    records = [sqs_record(json.dumps(order(f"o-{i}"))) for i in range(3)]
    assert app.handler({"Records": records}, None) == {"batchItemFailures": []}
    for i, record in enumerate(records):
        item = stored(f"o-{i}")
        assert item["status"] == "ACCEPTED"
        assert item["source_message_id"] == record["messageId"]
        assert item["customer_id"] == "c-42"
        assert str(item["total"]) == "25.99"


def test_sqs_45_only_invalid_orders_are_reported_by_message_id(app):
    good = sqs_record(json.dumps(order("o-good")))
    not_json = sqs_record("{not json")
    no_items = sqs_record(json.dumps(order("o-empty", items=[])))
    wrong_total = sqs_record(json.dumps(order("o-total", total=1)))
    result = app.handler({"Records": [good, not_json, no_items, wrong_total]}, None)
    assert result == {
        "batchItemFailures": [
            {"itemIdentifier": not_json["messageId"]},
            {"itemIdentifier": no_items["messageId"]},
            {"itemIdentifier": wrong_total["messageId"]},
        ]
    }
    assert stored("o-good") is not None
    assert stored("o-empty") is None and stored("o-total") is None


def test_poison_order_fails_on_every_attempt(app):
    poison = json.dumps(order("o-poison", poison=True))
    for attempt in (1, 2, 3):
        record = sqs_record(poison, receive_count=attempt)
        expected = {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
        assert app.handler({"Records": [record]}, None) == expected
    assert stored("o-poison") is None


def test_fail_once_order_fails_first_attempt_and_succeeds_on_retry(app):
    body = json.dumps(order("o-retry", fail_once=True))
    first = sqs_record(body, message_id="m-1", receive_count=1)
    assert app.handler({"Records": [first]}, None) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert stored("o-retry") is None
    retry = sqs_record(body, message_id="m-1", receive_count=2)
    assert app.handler({"Records": [retry]}, None) == {"batchItemFailures": []}
    item = stored("o-retry")
    assert item is not None and "fail_once" not in item


def test_sqs_25_redelivered_order_overwrites_instead_of_duplicating(app):
    body = json.dumps(order("o-dup"))
    app.handler({"Records": [sqs_record(body, message_id="m-a")]}, None)
    app.handler({"Records": [sqs_record(body, message_id="m-a", receive_count=2)]}, None)
    items = boto3.resource("dynamodb").Table(TABLE).scan()["Items"]
    assert [i["order_id"] for i in items] == ["o-dup"]


def test_dynamodb_failure_is_reported_not_raised(app, monkeypatch):
    monkeypatch.setenv("DB_TABLE_NAME", "no-such-table")
    app._TABLE = None
    record = sqs_record(json.dumps(order("o-x")))
    assert app.handler({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"order_id": ""}, "order_id"),
        ({"customer_id": 7}, "customer_id"),
        ({"items": [{"sku": "A", "quantity": 0, "price": 1}], "total": 0}, "items[0].quantity"),
        ({"items": [{"quantity": 1}]}, "items[0].sku"),
        ({"total": -1}, "total"),
    ],
)
def test_validation_names_the_bad_field(app, change, field):
    with pytest.raises(app.OrderRejected, match=field.replace("[", r"\[").replace("]", r"\]")):
        app.validate_order({**order(), **change})


def test_total_is_not_checked_when_an_item_has_no_price(app):
    unpriced = order(items=[{"sku": "GIFT", "quantity": 1}], total=0)
    assert app.validate_order(unpriced) is unpriced

"""Order processor: SQS batch of orders -> DynamoDB, with per-message failure reporting.

Each SQS record body is one order as JSON::

    {"order_id": "o-1001", "customer_id": "c-42",
     "items": [{"sku": "BOOK-1", "quantity": 2, "price": 12.5}],
     "total": 25.0, "currency": "USD"}

Valid orders are written to the DynamoDB table named by ``DB_TABLE_NAME`` with a plain
``PutItem`` keyed by ``order_id``: a redelivered order (SQS is at-least-once) overwrites itself
instead of creating a duplicate. Invalid or unwritable orders are returned in
``batchItemFailures``, so only they are retried and, after the queue's ``maxReceiveCount``,
moved to its dead-letter queue; the rest of the batch is deleted.

Demo/test convention (documented in the example README):
  * ``"poison": true``    the order is rejected on every attempt, so it ends in the DLQ;
  * ``"fail_once": true`` the first attempt (ApproximateReceiveCount == "1") fails and the
                          retry succeeds, so the order lands in the table.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal, InvalidOperation

import boto3
from botocore.exceptions import BotoCoreError, ClientError

LOG_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}

CENT = Decimal("0.01")


class OrderRejected(Exception):
    """The order can never succeed as sent (bad JSON, missing field, wrong total, poison)."""


class TransientOrderFailure(Exception):
    """The order may succeed on a later attempt (DynamoDB error, simulated first-attempt failure)."""


# --------------------------------------------------------------------------------------------
# Pure logic: parse and validate an order
# --------------------------------------------------------------------------------------------


def parse_order(body: str) -> dict:
    """The order in a record body, with numbers as Decimal (DynamoDB rejects floats)."""
    try:
        order = json.loads(body, parse_float=Decimal)
    except (TypeError, ValueError) as e:
        raise OrderRejected(f"body is not JSON: {e}") from e
    if not isinstance(order, dict):
        raise OrderRejected("body must be a JSON object")
    return order


def _non_empty_string(order: dict, field: str) -> str:
    value = order.get(field)
    if not isinstance(value, str) or not value.strip():
        raise OrderRejected(f"{field} must be a non-empty string (got {value!r})")
    return value


def _amount(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise OrderRejected(f"{field} must be a number (got {value!r})")
    try:
        amount = Decimal(str(value))  # str(): 0.1 stays 0.1, not its binary expansion
    except InvalidOperation as e:
        raise OrderRejected(f"{field} is not a finite number (got {value!r})") from e
    if not amount.is_finite():
        raise OrderRejected(f"{field} is not a finite number (got {value!r})")
    if amount < 0:
        raise OrderRejected(f"{field} must be >= 0 (got {amount})")
    return amount


def validate_order(order: dict) -> dict:
    """Check an order's fields; return it unchanged or raise OrderRejected naming the field.

    Rules: order_id and customer_id are non-empty strings; items is a non-empty list of
    objects with a non-empty ``sku`` and an integer ``quantity`` >= 1 and an optional
    ``price`` >= 0; ``total`` >= 0 and, when every item has a price, equal to
    sum(quantity x price) to the cent.
    """
    if order.get("poison") is True:
        raise OrderRejected("order is marked poison (demo convention: always fails)")
    _non_empty_string(order, "order_id")
    _non_empty_string(order, "customer_id")
    items = order.get("items")
    if not isinstance(items, list) or not items:
        raise OrderRejected("items must be a non-empty list")
    computed = Decimal(0)
    all_priced = True
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, dict):
            raise OrderRejected(f"{where} must be an object")
        if not isinstance(item.get("sku"), str) or not item["sku"]:
            raise OrderRejected(f"{where}.sku must be a non-empty string")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise OrderRejected(f"{where}.quantity must be an integer >= 1 (got {quantity!r})")
        if "price" in item:
            computed += quantity * _amount(item["price"], f"{where}.price")
        else:
            all_priced = False
    if "total" not in order:
        raise OrderRejected("total is required")
    total = _amount(order["total"], "total")
    if all_priced and computed.quantize(CENT) != total.quantize(CENT):
        raise OrderRejected(f"total {total} does not match the items' sum {computed.quantize(CENT)}")
    return order


def order_item(order: dict, message_id: str) -> dict:
    """The DynamoDB item stored for an accepted order (demo flags are not persisted)."""
    item = {k: v for k, v in order.items() if k not in ("poison", "fail_once")}
    item["status"] = "ACCEPTED"
    item["source_message_id"] = message_id
    return item


# --------------------------------------------------------------------------------------------
# Side effects: logs, DynamoDB and the SQS batch protocol
# --------------------------------------------------------------------------------------------


def log(level: str, event: str, **fields: object) -> None:
    """One JSON log line on stdout (Lambda sends stdout to CloudWatch Logs), filtered by LOG_LEVEL."""
    threshold = LOG_LEVELS.get(os.environ.get("LOG_LEVEL", "INFO").upper(), 20)
    if LOG_LEVELS[level] >= threshold:
        print(json.dumps({"level": level, "event": event, **fields}, default=str), file=sys.stdout, flush=True)


_TABLE = None


def orders_table():
    """The orders table (created once per execution environment, reused across invocations)."""
    global _TABLE
    if _TABLE is None:
        table_name = os.environ.get("DB_TABLE_NAME")
        if not table_name:
            raise RuntimeError("DB_TABLE_NAME is not set: configure it in environment_variables")
        _TABLE = boto3.resource("dynamodb").Table(table_name)
    return _TABLE


def process_record(record: dict) -> str:
    """Validate and store one SQS record's order; return the order_id."""
    order = validate_order(parse_order(record.get("body")))
    if order.get("fail_once") is True and record["attributes"]["ApproximateReceiveCount"] == "1":
        raise TransientOrderFailure("first attempt fails by request (fail_once)")
    try:
        orders_table().put_item(Item=order_item(order, record["messageId"]))
    except (ClientError, BotoCoreError) as e:
        raise TransientOrderFailure(f"DynamoDB PutItem failed: {e}") from e
    return order["order_id"]


def handler(event: dict, context: object) -> dict:
    """Lambda entry point for the SQS event source mapping (ReportBatchItemFailures on)."""
    failures = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            order_id = process_record(record)
        except (OrderRejected, TransientOrderFailure) as e:
            log("WARNING", "order_failed", messageId=message_id, reason=str(e), kind=type(e).__name__)
            failures.append({"itemIdentifier": message_id})
        else:
            log("INFO", "order_stored", messageId=message_id, order_id=order_id)
    log("INFO", "batch_done", records=len(event.get("Records", [])), failed=len(failures))
    return {"batchItemFailures": failures}

"""The payment-processor handler: PCI-safe validation, two tables, two buckets, partial failures."""

from __future__ import annotations

import json

import boto3
import pytest
from example_support import EXAMPLES_DIR, load_module, sqs_record

HANDLER = EXAMPLES_DIR / "payment-processor" / "src" / "secure_handler.py"
PAYMENTS, AUDIT = "payments-prod-payments", "payments-prod-audit-log"
PAYMENT_FILES, AUDIT_FILES = "payments-prod-payment-files", "payments-prod-audit-files"


def payment(payment_id: str = "p-1", **extra) -> dict:
    return {
        "payment_id": payment_id,
        "order_id": "o-1001",
        "amount": "25.99",
        "currency": "usd",
        "payment_token": "tok_visa_4242",
        "card_last4": "4242",
        **extra,
    }


@pytest.fixture
def handler_module(aws_sandbox, monkeypatch):
    monkeypatch.setenv("PAYMENTS_TABLE_NAME", PAYMENTS)
    monkeypatch.setenv("AUDIT_TABLE_NAME", AUDIT)
    monkeypatch.setenv("PAYMENT_FILES_BUCKET", PAYMENT_FILES)
    monkeypatch.setenv("AUDIT_FILES_BUCKET", AUDIT_FILES)
    dynamodb = boto3.client("dynamodb")
    for table, key in ((PAYMENTS, "payment_id"), (AUDIT, "audit_id")):
        dynamodb.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        )
    for bucket in (PAYMENT_FILES, AUDIT_FILES):
        boto3.client("s3").create_bucket(Bucket=bucket)
    return load_module(HANDLER)


def keys(bucket: str) -> list[str]:
    return [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_valid_payment_lands_in_both_tables_and_both_buckets(handler_module):
    record = sqs_record(json.dumps(payment()), message_id="m-1")
    assert handler_module.process({"Records": [record]}, None) == {"batchItemFailures": []}
    stored = boto3.resource("dynamodb").Table(PAYMENTS).get_item(Key={"payment_id": "p-1"})["Item"]
    assert stored["amount"] == "25.99" and stored["currency"] == "USD" and stored["status"] == "RECORDED"
    audit = boto3.resource("dynamodb").Table(AUDIT).get_item(Key={"audit_id": "p-1#m-1"})["Item"]
    assert audit["action"] == "PAYMENT_RECORDED" and audit["source_queue_arn"] == record["eventSourceARN"]
    archived = boto3.client("s3").get_object(Bucket=PAYMENT_FILES, Key="payments/p-1.json")
    assert archived["Body"].read().decode() == record["body"]
    assert archived["ServerSideEncryption"] == "AES256"
    assert keys(AUDIT_FILES) == ["audit/p-1/m-1.json"]


def test_sqs_45_raw_card_number_is_rejected_and_nothing_is_stored(handler_module, capsys):
    leaky = sqs_record(json.dumps(payment("p-leak", card_number="4111111111111111")))
    good = sqs_record(json.dumps(payment("p-ok")))
    result = handler_module.process({"Records": [leaky, good]}, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": leaky["messageId"]}]}
    assert keys(PAYMENT_FILES) == ["payments/p-ok.json"]
    assert "4111111111111111" not in capsys.readouterr().out


def test_sqs_25_retried_message_does_not_duplicate_audit_entries(handler_module):
    body = json.dumps(payment())
    handler_module.process({"Records": [sqs_record(body, message_id="m-1")]}, None)
    handler_module.process({"Records": [sqs_record(body, message_id="m-1", receive_count=2)]}, None)
    assert boto3.resource("dynamodb").Table(AUDIT).scan()["Count"] == 1


def test_storage_failure_is_reported_for_that_message_only(handler_module, monkeypatch):
    monkeypatch.setenv("AUDIT_FILES_BUCKET", "bucket-that-does-not-exist")
    record = sqs_record(json.dumps(payment()))
    assert handler_module.process({"Records": [record]}, None) == {
        "batchItemFailures": [{"itemIdentifier": record["messageId"]}]
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "0"}, "amount must be > 0"),
        ({"amount": "10.001"}, "more than 2 decimals"),
        ({"amount": "100.5", "currency": "KRW"}, "more than 0 decimals for KRW"),
        ({"currency": "XYZ"}, "currency must be one of"),
        ({"payment_token": "4111111111111111"}, "payment_token"),
        ({"cvv": "123"}, "raw card data"),
        ({"card_last4": "42"}, "card_last4"),
        ({"order_id": " "}, "order_id"),
    ],
)
def test_validation_rejects_bad_payments(handler_module, change, message):
    with pytest.raises(handler_module.PaymentRejected, match=message):
        handler_module.validate_payment({**payment(), **change})


def test_amount_keeps_its_exact_decimal_value(handler_module):
    normalized = handler_module.validate_payment(handler_module.parse_payment(json.dumps(payment(amount=0.1))))
    assert normalized["amount"] == "0.1"

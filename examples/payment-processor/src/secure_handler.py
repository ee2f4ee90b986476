"""Payment processor: SQS batch of payments -> DynamoDB (payments + audit log) + S3 archives.

Each SQS record body is one tokenized payment as JSON::

    {"payment_id": "p-1", "order_id": "o-1001", "amount": "25.99", "currency": "USD",
     "payment_token": "tok_visa_4242", "card_last4": "4242"}

For each valid payment the handler

1. archives the message body to the payment-files bucket (``payments/<payment_id>.json``),
2. writes the payment to the payments table (key ``payment_id``; a redelivery overwrites itself),
3. appends an audit entry to the audit-log table (key ``audit_id`` = ``<payment_id>#<messageId>``,
   so a retry of the same message does not add a second entry) and a copy of it to the
   audit-files bucket.

PCI-DSS: the function only handles tokens. A body carrying a raw card number (``card_number`` or
``pan``) is rejected *before* anything is stored, and is not logged.

Invalid payments and failed writes are returned in ``batchItemFailures`` (the mapping has
``ReportBatchItemFailures``), so only they are retried and end in the queue's DLQ.

Environment: PAYMENTS_TABLE_NAME, AUDIT_TABLE_NAME, PAYMENT_FILES_BUCKET, AUDIT_FILES_BUCKET.
"""

from __future__ import annotations

import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation

import boto3
from botocore.exceptions import BotoCoreError, ClientError

SUPPORTED_CURRENCIES = frozenset({"USD", "EUR", "GBP", "JPY", "KRW"})
# ISO 4217 minor units: KRW and JPY have no cents.
MINOR_UNITS = {"JPY": 0, "KRW": 0}
MAX_AMOUNT = Decimal("1000000")
RAW_CARD_FIELDS = ("card_number", "pan", "cvv", "cvc")
TOKEN_PATTERN = re.compile(r"^tok_[A-Za-z0-9_]{4,64}$")


class PaymentRejected(Exception):
    """The payment can never succeed as sent."""


class PaymentStoreFailure(Exception):
    """Storing the payment failed; a retry may succeed."""


# --------------------------------------------------------------------------------------------
# Pure logic
# --------------------------------------------------------------------------------------------


def parse_payment(body: str) -> dict:
    """The payment in a record body (numbers as Decimal)."""
    try:
        payment = json.loads(body, parse_float=Decimal)
    except (TypeError, ValueError) as e:
        raise PaymentRejected(f"body is not JSON: {e}") from e
    if not isinstance(payment, dict):
        raise PaymentRejected("body must be a JSON object")
    return payment


def validate_payment(payment: dict) -> dict:
    """The normalized payment (amount as Decimal string, upper-case currency) or PaymentRejected."""
    leaked = [field for field in RAW_CARD_FIELDS if field in payment]
    if leaked:
        raise PaymentRejected(f"raw card data is not accepted (fields {leaked}); send a payment_token (PCI-DSS)")
    for field in ("payment_id", "order_id"):
        if not isinstance(payment.get(field), str) or not payment[field].strip():
            raise PaymentRejected(f"{field} must be a non-empty string")
    token = payment.get("payment_token")
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        raise PaymentRejected("payment_token must look like tok_<4-64 letters, digits or _>")
    currency = payment.get("currency")
    if not isinstance(currency, str) or currency.upper() not in SUPPORTED_CURRENCIES:
        raise PaymentRejected(f"currency must be one of {sorted(SUPPORTED_CURRENCIES)} (got {currency!r})")
    currency = currency.upper()
    raw_amount = payment.get("amount")
    if isinstance(raw_amount, bool) or not isinstance(raw_amount, (str, int, float, Decimal)):
        raise PaymentRejected(f"amount must be a number or a decimal string (got {raw_amount!r})")
    try:
        amount = Decimal(str(raw_amount))
    except InvalidOperation as e:
        raise PaymentRejected(f"amount is not a decimal number (got {raw_amount!r})") from e
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise PaymentRejected(f"amount must be > 0 and <= {MAX_AMOUNT} (got {raw_amount!r})")
    decimals = MINOR_UNITS.get(currency, 2)
    if amount != amount.quantize(Decimal(1).scaleb(-decimals)):
        raise PaymentRejected(f"amount {amount} has more than {decimals} decimals for {currency}")
    last4 = payment.get("card_last4")
    if last4 is not None and not (isinstance(last4, str) and re.fullmatch(r"\d{4}", last4)):
        raise PaymentRejected("card_last4 must be 4 digits when present")
    return {
        "payment_id": payment["payment_id"],
        "order_id": payment["order_id"],
        "amount": str(amount),
        "currency": currency,
        "payment_token": token,
        **({"card_last4": last4} if last4 else {}),
    }


def audit_entry(payment: dict, record: dict) -> dict:
    """The audit-log item for processing ``payment`` from ``record`` (idempotent per message)."""
    return {
        "audit_id": f"{payment['payment_id']}#{record['messageId']}",
        "payment_id": payment["payment_id"],
        "action": "PAYMENT_RECORDED",
        "amount": payment["amount"],
        "currency": payment["currency"],
        "message_id": record["messageId"],
        "receive_count": record["attributes"]["ApproximateReceiveCount"],
        "sent_timestamp": record["attributes"]["SentTimestamp"],
        "source_queue_arn": record["eventSourceARN"],
    }


# --------------------------------------------------------------------------------------------
# Side effects
# --------------------------------------------------------------------------------------------


def log(level: str, event: str, **fields: object) -> None:
    """One JSON log line on stdout (CloudWatch Logs). Never pass message bodies: they may hold card data."""
    print(json.dumps({"level": level, "event": event, **fields}, default=str), file=sys.stdout, flush=True)


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: configure it in the module's environment_variables")
    return value


_CLIENTS: dict[str, object] = {}


def _client(service: str):
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service)
    return _CLIENTS[service]


def store_payment(payment: dict, record: dict) -> None:
    """Archive, record and audit one payment (each step idempotent, so a retry is safe)."""
    s3 = _client("s3")
    dynamodb = boto3.resource("dynamodb")
    audit = audit_entry(payment, record)
    try:
        s3.put_object(
            Bucket=_setting("PAYMENT_FILES_BUCKET"),
            Key=f"payments/{payment['payment_id']}.json",
            Body=record["body"].encode(),
            ContentType="application/json",
            ServerSideEncryption="AES256",
        )
        dynamodb.Table(_setting("PAYMENTS_TABLE_NAME")).put_item(
            Item={**payment, "status": "RECORDED", "source_message_id": record["messageId"]}
        )
        dynamodb.Table(_setting("AUDIT_TABLE_NAME")).put_item(Item=audit)
        s3.put_object(
            Bucket=_setting("AUDIT_FILES_BUCKET"),
            Key=f"audit/{payment['payment_id']}/{record['messageId']}.json",
            Body=json.dumps(audit, sort_keys=True).encode(),
            ContentType="application/json",
            ServerSideEncryption="AES256",
        )
    except (ClientError, BotoCoreError) as e:
        raise PaymentStoreFailure(f"storing payment {payment['payment_id']} failed: {e}") from e


def process(event: dict, context: object) -> dict:
    """Lambda entry point (handler ``secure_handler.process``) for the SQS mapping."""
    failures = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            payment = validate_payment(parse_payment(record.get("body")))
            store_payment(payment, record)
        except (PaymentRejected, PaymentStoreFailure) as e:
            log("WARNING", "payment_failed", messageId=message_id, reason=str(e), kind=type(e).__name__)
            failures.append({"itemIdentifier": message_id})
        else:
            log("INFO", "payment_recorded", messageId=message_id, payment_id=payment["payment_id"])
    log("INFO", "batch_done", records=len(event.get("Records", [])), failed=len(failures))
    return {"batchItemFailures": failures}

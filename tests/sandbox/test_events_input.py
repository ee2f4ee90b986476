"""What an EventBridge target receives (pure): normalization, Input, InputPath, InputTransformer."""

from __future__ import annotations

import json

from lambda_processor.sandbox.moto_adapter.events_input import iso_time, normalized_event, render_target_input

EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "OrderPlaced",
    "source": "shop.orders",
    "account": "123456789012",
    "time": "2026-01-02T03:04:05Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"order": {"id": "o-1", "total": 42}, "items": ["a", "b"]},
}


def test_normalized_event_fixes_moto_fields():
    raw = {**EVENT, "account": "", "time": 1767323045.5, "ingestion-time": 1767323045.6}
    normalized = normalized_event(raw, account_id="123456789012", region="us-east-1")
    assert normalized == EVENT
    assert list(normalized) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]


def test_iso_time_accepts_unix_seconds_and_strings():
    assert iso_time(0) == "1970-01-01T00:00:00Z"
    assert iso_time("1767323045") == "2026-01-02T03:04:05Z"
    assert iso_time("2026-01-02T03:04:05Z") == "2026-01-02T03:04:05Z"


def test_whole_event_by_default():
    assert json.loads(render_target_input({"Id": "t", "Arn": "a"}, EVENT)) == EVENT


def test_constant_input_is_verbatim():
    assert render_target_input({"Input": '{"fixed": 1}'}, EVENT) == '{"fixed": 1}'


def test_input_path_selects_part_of_the_event():
    assert json.loads(render_target_input({"InputPath": "$.detail.order"}, EVENT)) == {"id": "o-1", "total": 42}


def test_input_transformer_fills_placeholders():
    target = {
        "InputTransformer": {
            "InputPathsMap": {"id": "$.detail.order.id", "total": "$.detail.order.total", "items": "$.detail.items"},
            "InputTemplate": '{"order": "<id>", "total": <total>, "items": <items>, "rule": "<aws.events.rule-name>"}',
        }
    }
    rendered = render_target_input(target, EVENT, rule_arn="arn:rule", rule_name="orders")
    assert json.loads(rendered) == {"order": "o-1", "total": 42, "items": ["a", "b"], "rule": "orders"}


def test_input_transformer_text_template():
    target = {"InputTransformer": {"InputPathsMap": {"id": "$.detail.order.id"}, "InputTemplate": '"Order <id> placed"'}}
    assert render_target_input(target, EVENT) == '"Order o-1 placed"'

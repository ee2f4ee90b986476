"""SNS subscription filter policies (MessageAttributes and MessageBody scopes)."""

from __future__ import annotations

import json

import pytest

from lambda_processor.errors import LambdaProcessorError
from lambda_processor.sns_filter import SnsFilterPolicyError, attributes_as_event, compile_filter_policy


def string(value: str) -> dict:
    return {"DataType": "String", "StringValue": value}


def number(value: str) -> dict:
    return {"DataType": "Number", "StringValue": value}


def array(values: list) -> dict:
    return {"DataType": "String.Array", "StringValue": json.dumps(values)}


def attrs_match(policy: dict, attributes: dict) -> bool:
    return compile_filter_policy(policy).matches("any message", attributes)


def test_empty_policy_filters_nothing():
    assert compile_filter_policy("{}").matches("x", {})
    assert compile_filter_policy({}, "MessageBody").matches("not json", None)


def test_string_exact_match_and_or_of_values():
    policy = {"event": ["order_placed", "order_cancelled"]}
    assert attrs_match(policy, {"event": string("order_placed")})
    assert not attrs_match(policy, {"event": string("order_shipped")})
    assert not attrs_match(policy, {})


def test_keys_are_anded():
    policy = {"event": ["order_placed"], "store": ["example_corp"]}
    assert attrs_match(policy, {"event": string("order_placed"), "store": string("example_corp")})
    assert not attrs_match(policy, {"event": string("order_placed")})


def test_prefix_suffix_and_equals_ignore_case():
    assert attrs_match({"customer": [{"prefix": "bus"}]}, {"customer": string("business")})
    assert attrs_match({"file": [{"suffix": ".png"}]}, {"file": string("a.png")})
    assert attrs_match({"state": [{"equals-ignore-case": "ok"}]}, {"state": string("OK")})


def test_anything_but_requires_the_attribute():
    policy = {"customer": [{"anything-but": ["rewards"]}]}
    assert attrs_match(policy, {"customer": string("business")})
    assert not attrs_match(policy, {"customer": string("rewards")})
    assert not attrs_match(policy, {})
    assert attrs_match({"c": [{"anything-but": {"prefix": "re"}}]}, {"c": string("business")})


def test_numeric_matching_uses_number_attributes_only():
    policy = {"price": [{"numeric": [">=", 100, "<", 200]}]}
    assert attrs_match(policy, {"price": number("150")})
    assert attrs_match(policy, {"price": number("100.0")})
    assert not attrs_match(policy, {"price": number("200")})
    assert not attrs_match(policy, {"price": string("150")})
    assert attrs_match({"qty": [5]}, {"qty": number("5.0")})
    assert not attrs_match({"qty": ["5"]}, {"qty": number("5")})
    assert not attrs_match(policy, {"price": number("not-a-number")})


def test_exists():
    assert attrs_match({"tag": [{"exists": True}]}, {"tag": string("x")})
    assert not attrs_match({"tag": [{"exists": True}]}, {})
    assert attrs_match({"tag": [{"exists": False}]}, {"other": string("x")})


def test_string_array_attributes_match_any_element():
    policy = {"colors": ["red"]}
    assert attrs_match(policy, {"colors": array(["blue", "red"])})
    assert not attrs_match(policy, {"colors": array(["blue"])})
    assert attrs_match({"sizes": [{"numeric": [">", 10]}]}, {"sizes": array([1, 20])})


def test_binary_attributes_are_never_matched():
    binary = {"DataType": "Binary", "BinaryValue": b"\x00"}
    assert not attrs_match({"blob": [{"exists": True}]}, {"blob": binary})
    assert attributes_as_event({"blob": binary}) == {}


def test_lambda_event_attribute_shape_is_accepted_too():
    assert attrs_match({"event": ["a"]}, {"event": {"Type": "String", "Value": "a"}})
    assert attrs_match({"n": [{"numeric": ["=", 3]}]}, {"n": {"Type": "Number", "Value": "3"}})


def test_or_operator():
    policy = {"$or": [{"source": ["aws.cloudwatch"]}, {"metricName": ["CPUUtilization"]}]}
    assert attrs_match(policy, {"metricName": string("CPUUtilization")})
    assert not attrs_match(policy, {"metricName": string("Other")})


def test_message_body_scope_matches_nested_json():
    policy = compile_filter_policy({"order": {"total": [{"numeric": [">", 100]}], "kind": ["retail"]}}, "MessageBody")
    assert policy.matches(json.dumps({"order": {"total": 150, "kind": "retail"}}), {})
    assert not policy.matches(json.dumps({"order": {"total": 50, "kind": "retail"}}), {})
    assert not policy.matches("plain text", {})
    assert not policy.matches(json.dumps(["order"]), {})


def test_message_body_scope_ignores_attributes():
    policy = compile_filter_policy({"kind": ["retail"]}, "MessageBody")
    assert not policy.matches(json.dumps({"other": 1}), {"kind": string("retail")})


def test_nested_policy_needs_message_body_scope():
    with pytest.raises(SnsFilterPolicyError) as caught:
        compile_filter_policy({"order": {"kind": ["retail"]}})
    assert caught.value.message == (
        "Invalid parameter: FilterPolicy: Filter policy scope MessageAttributes does not support nested filter policy"
    )
    assert isinstance(caught.value, LambdaProcessorError)


def test_limits_keys_combinations_and_wildcard():
    with pytest.raises(SnsFilterPolicyError, match="more than 5 keys"):
        compile_filter_policy({f"k{i}": ["v"] for i in range(6)})
    with pytest.raises(SnsFilterPolicyError, match="too complex"):
        compile_filter_policy({"a": list(range(10)), "b": list(range(10)), "c": list(range(2))})
    compile_filter_policy({"a": list(range(10)), "b": list(range(15))})
    with pytest.raises(SnsFilterPolicyError, match="wildcard"):
        compile_filter_policy({"a": [{"wildcard": "x*"}]})
    with pytest.raises(SnsFilterPolicyError, match="wildcard"):
        compile_filter_policy({"a": [{"anything-but": {"wildcard": "x*"}}]})


def test_invalid_policies_and_scope():
    with pytest.raises(SnsFilterPolicyError, match="parse JSON"):
        compile_filter_policy("{not json")
    with pytest.raises(SnsFilterPolicyError, match="must be an object or an array"):
        compile_filter_policy({"a": "scalar"})
    with pytest.raises(SnsFilterPolicyError, match="FilterPolicyScope"):
        compile_filter_policy({"a": ["x"]}, "Body")

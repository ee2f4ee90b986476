"""EventBridge event-pattern grammar: every AWS-recorded vector, then one test per PAT rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_processor.errors import LambdaProcessorError
from lambda_processor.patterns import PatternError, compile_pattern, pattern_matches

VECTORS = json.loads((Path(__file__).parent / "data" / "event-pattern-vectors.json").read_text())["vectors"]


def _outcome(pattern, event) -> tuple[str, str | None]:
    try:
        compiled = compile_pattern(pattern)
    except PatternError as e:
        return "EXCEPTION", str(e)
    return ("MATCH" if compiled.matches(event) else "NO_MATCH"), None


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_pat_32_aws_recorded_vector(vector):
    outcome, message = _outcome(vector["pattern"], vector["event"])
    assert outcome == vector["expected"]
    if outcome == "EXCEPTION" and vector.get("error_message"):
        assert message == vector["error_message"]


def test_vectors_cover_all_three_outcomes():
    assert {v["expected"] for v in VECTORS} == {"MATCH", "NO_MATCH", "EXCEPTION"}
    assert len(VECTORS) >= 100


def matches(pattern: dict, event: dict) -> bool:
    return compile_pattern(pattern).matches(event)


def reason(pattern) -> str:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    return caught.value.reason


def test_pattern_error_is_a_lambda_processor_error_with_aws_text():
    with pytest.raises(LambdaProcessorError) as caught:
        compile_pattern({"a": "b"})
    assert str(caught.value) == 'Event pattern is not valid. Reason: "a" must be an object or an array'


def test_pat_1_leaf_must_be_non_empty_array_and_pattern_an_object():
    assert reason({"a": {"b": 1}}) == '"b" must be an object or an array'
    assert reason({"a": []}) == "Empty arrays are not allowed"
    assert reason('["a"]') == "Filter is not an object"
    assert reason("simple string").startswith("Filter is not valid JSON")
    assert matches(json.loads('{"a": ["x"]}'), {"a": "x"})
    assert compile_pattern('{"a": ["x"]}').matches({"a": "x"})


def test_pat_2_all_keys_required_and_case_sensitive():
    pattern = {"a": ["1"], "b": ["2"]}
    assert matches(pattern, {"a": "1", "b": "2", "c": "ignored"})
    assert not matches(pattern, {"a": "1"})
    assert not matches({"Key": ["v"]}, {"key": "v"})
    assert reason({"a": [{"Prefix": "x"}]}) == "Unrecognized match type Prefix"


def test_pat_3_values_in_one_array_are_ored():
    assert matches({"a": ["x", "y"]}, {"a": "y"})
    assert not matches({"a": ["x", "y"]}, {"a": "z"})


def test_pat_4_event_arrays_match_on_intersection_and_empty_arrays_match_nothing():
    assert matches({"a": ["x"]}, {"a": ["w", "x"]})
    assert not matches({"a": ["x"]}, {"a": []})
    assert not matches({"a": [{"exists": True}]}, {"a": []})
    assert matches({"a": {"b": ["2"]}}, {"a": [{"b": "1"}, {"b": "2"}]})


def test_pat_4_fields_of_one_conjunction_come_from_the_same_array_element():
    pattern = {"people": {"name": ["ann"], "role": ["admin"]}}
    assert matches(pattern, {"people": [{"name": "bob", "role": "user"}, {"name": "ann", "role": "admin"}]})
    assert not matches(pattern, {"people": [{"name": "ann", "role": "user"}, {"name": "bob", "role": "admin"}]})


def test_pat_4_array_consistency_holds_through_nested_arrays():
    pattern = {"orders": {"items": {"sku": ["A"], "qty": [{"numeric": [">", 5]}]}}}
    split = {"orders": [{"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 9}]}, {"items": [{"sku": "C"}]}]}
    assert not matches(pattern, split)
    split["orders"][1]["items"].append({"sku": "A", "qty": 6})
    assert matches(pattern, split)
    # Fields in unrelated arrays combine freely.
    assert matches({"a": {"x": [1]}, "b": {"y": [2]}}, {"a": [{"x": 0}, {"x": 1}], "b": [{"y": 2}]})


def test_pat_5_json_inside_a_string_is_not_parsed():
    assert not matches({"detail": {"k": ["v"]}}, {"detail": '{"k": "v"}'})


def test_pat_6_dotted_names_flatten_both_ways():
    assert matches({"detail": {"state.status": ["running"]}}, {"detail": {"state": {"status": "running"}}})
    assert matches({"detail": {"state": {"status": ["running"]}}}, {"detail": {"state.status": "running"}})


def test_pat_7_duplicate_keys_last_wins():
    compiled = compile_pattern('{"a": ["first"], "a": ["second"]}')
    assert compiled.matches({"a": "second"})
    assert not compiled.matches({"a": "first"})


def test_pat_10_strings_match_exactly():
    assert not matches({"a": ["Hello"]}, {"a": "hello"})
    assert not matches({"a": ["x"]}, {"a": "x "})


def test_pat_11_empty_string_null_and_string_null_are_distinct():
    assert matches({"a": [""]}, {"a": ""})
    assert not matches({"a": [""]}, {"a": None})
    assert matches({"a": [None]}, {"a": None})
    assert not matches({"a": [None]}, {"a": "null"})
    assert not matches({"a": [None]}, {})


def test_pat_12_booleans_match_booleans_not_numbers():
    assert matches({"a": [True]}, {"a": True})
    assert not matches({"a": [True]}, {"a": 1})
    assert not matches({"a": [1]}, {"a": True})


def test_pat_13_integral_floats_equal_ints_but_strings_do_not():
    assert matches({"n": [300]}, {"n": 300.0})
    assert not matches({"n": [300]}, {"n": "300"})
    assert not matches({"n": ["300"]}, {"n": 300})


def test_pat_20_prefix():
    assert matches({"a": [{"prefix": "ab"}]}, {"a": "abc"})
    assert matches({"a": [{"prefix": ""}]}, {"a": "anything"})
    assert not matches({"a": [{"prefix": "1"}]}, {"a": 12})
    assert matches({"a": [{"prefix": {"equals-ignore-case": "AB"}}]}, {"a": "abc"})
    assert reason({"a": [{"prefix": 1}]}) == "prefix match pattern must be a string"


def test_pat_21_suffix_is_case_sensitive():
    assert matches({"a": [{"suffix": ".png"}]}, {"a": "x.png"})
    assert not matches({"a": [{"suffix": ".png"}]}, {"a": "x.PNG"})
    assert matches({"a": [{"suffix": {"equals-ignore-case": ".png"}}]}, {"a": "x.PNG"})


def test_pat_22_equals_ignore_case():
    assert matches({"a": [{"equals-ignore-case": "AbC"}]}, {"a": "aBc"})
    assert not matches({"a": [{"equals-ignore-case": ""}]}, {"a": "x"})
    assert reason({"a": [{"equals-ignore-case": ["x"]}]}) == "equals-ignore-case match pattern must be a string"


def test_pat_23_wildcard():
    assert matches({"a": [{"wildcard": "a*c"}]}, {"a": "abbbc"})
    assert matches({"a": [{"wildcard": "a*c"}]}, {"a": "ac"})  # documented choice: * may match nothing
    assert not matches({"a": [{"wildcard": "a*c"}]}, {"a": "abcd"})
    assert matches({"a": [{"wildcard": r"a\*c"}]}, {"a": "a*c"})
    assert not matches({"a": [{"wildcard": r"a\*c"}]}, {"a": "abc"})
    assert reason({"a": [{"wildcard": "a**"}]}) == "Consecutive wildcard characters at pos 2"
    assert reason({"a": [{"wildcard": x} for x in ("*.bif", "*.tiff", "*.tif", "*.svs")]}).startswith(
        "Rule is too complex"
    )
    compile_pattern({"a": [{"wildcard": "*/datasync/*.bif"}, {"wildcard": "*/datasync/*.tif"}]})


def test_pat_24_anything_but_matches_present_values_only():
    pattern = {"a": [{"anything-but": ["x", 5]}]}
    assert matches(pattern, {"a": "y"})
    assert matches(pattern, {"a": None})
    assert matches(pattern, {"a": True})
    assert not matches(pattern, {"a": 5.0})
    assert not matches(pattern, {})
    assert reason({"a": [{"anything-but": True}]}) == (
        "Value of anything-but must be an array or single string/number value."
    )


def test_pat_25_anything_but_prefix_suffix_ignore_case_wildcard():
    assert not matches({"a": [{"anything-but": {"prefix": "in"}}]}, {"a": "init"})
    assert matches({"a": [{"anything-but": {"suffix": [".a", ".b"]}}]}, {"a": "x.c"})
    assert not matches({"a": [{"anything-but": {"equals-ignore-case": "X"}}]}, {"a": "x"})
    assert matches({"a": [{"anything-but": {"wildcard": ""}}]}, {"a": "x"})
    assert reason({"a": [{"anything-but": {"prefix": ""}}]}) == "Null prefix/suffix not allowed"


def test_pat_26_numeric():
    assert matches({"n": [{"numeric": [">=", 100, "<", 200]}]}, {"n": 100})
    assert not matches({"n": [{"numeric": [">=", 100, "<", 200]}]}, {"n": 200})
    assert matches({"n": [{"numeric": ["=", 5]}]}, {"n": 5.0})
    assert matches({"n": [{"numeric": ["<=", 5]}]}, {"n": -3})
    assert not matches({"n": [{"numeric": [">", 0]}]}, {"n": "3"})
    assert not matches({"n": [{"numeric": [">", 0]}]}, {"n": None})
    assert not matches({"n": [{"numeric": [">", 0]}]}, {"n": True})
    assert reason({"n": [{"numeric": [">", 5, "<", 5]}]}) == "Bottom must be less than top"
    assert reason({"n": [{"numeric": ["!", 5]}]}) == "Unrecognized numeric range operator: !"


def test_pat_27_exists_is_about_leaf_presence():
    assert matches({"a": [{"exists": True}]}, {"a": None})
    assert not matches({"a": [{"exists": True}]}, {"a": {"b": 1}})
    assert matches({"a": {"b": {"c": [{"exists": False}]}}}, {"x": 1})
    assert matches({"a": {"b": {"c": [{"exists": False}]}}}, {"a": {"b": "scalar"}})
    assert not matches({"a": [{"exists": False}]}, {"a": "present"})
    assert reason({"a": [{"exists": "yes"}]}) == "exists match pattern must be either true or false."


def test_pat_28_cidr():
    assert matches({"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": "10.2.3.4"})
    assert not matches({"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": "11.2.3.4"})
    assert not matches({"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": "2001:db8::1"})
    assert reason({"ip": [{"cidr": "10.0.0.0"}]}) == "Malformed CIDR, one '/' required"


def test_pat_29_mixed_operators_are_ored():
    pattern = {"s": [{"anything-but": ["roses"]}, {"exists": False}]}
    assert matches(pattern, {})
    assert matches(pattern, {"s": "tulips"})
    assert not matches(pattern, {"s": "roses"})


def test_pat_30_or_combines_with_siblings_and_is_limited():
    pattern = {"source": ["app"], "$or": [{"a": ["1"]}, {"b": ["2"]}]}
    assert matches(pattern, {"source": "app", "b": "2"})
    assert not matches(pattern, {"source": "other", "b": "2"})
    assert not matches(pattern, {"source": "app", "c": "3"})
    too_many = {f"k{i}": {"$or": [{"x": [j]} for j in range(10)]} for i in range(4)}
    assert "exceeds the limit of 1000" in reason(too_many)


def test_pat_31_operators_are_reported_for_consumer_lints():
    compiled = compile_pattern({"$or": [{"a": [{"wildcard": "x*"}]}, {"b": [{"anything-but": {"prefix": "p"}}]}]})
    assert compiled.operators == {"$or", "wildcard", "anything-but", "anything-but/prefix"}
    assert compiled.top_level_keys == {"a", "b"}
    # A field that happens to be called like an operator is not an operator.
    assert compile_pattern({"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}).operators == {"$or"}


def test_pattern_matches_takes_pattern_text_and_caches_the_compiled_pattern():
    text = '{"source": ["orders"], "detail": {"total": [{"numeric": [">", 100]}]}}'
    assert pattern_matches(text, {"source": "orders", "detail": {"total": 150}})
    assert not pattern_matches(text, {"source": "orders", "detail": {"total": 50}})
    with pytest.raises(PatternError):
        pattern_matches('{"source": "orders"}', {"source": "orders"})

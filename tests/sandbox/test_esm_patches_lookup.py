"""ListEventSourceMappings accepts a function name, ARN or partial ARN, as AWS does."""

import pytest

from lambda_processor.sandbox.moto_adapter.esm_patches import function_identifier_matches

ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"


@pytest.mark.parametrize("stored", [ARN, "orders", "123456789012:function:orders", ARN + ":$LATEST"])
@pytest.mark.parametrize("wanted", [ARN, "orders", "123456789012:function:orders"])
def test_every_identifier_form_finds_the_mapping(stored, wanted):
    assert function_identifier_matches(stored, wanted)


@pytest.mark.parametrize("stored, wanted", [
    (ARN, "order"),
    (ARN, "arn:aws:lambda:eu-west-1:123456789012:function:orders"),
    ("orders", "payments"),
])
def test_other_functions_do_not_match(stored, wanted):
    assert not function_identifier_matches(stored, wanted)

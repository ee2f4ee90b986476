"""Public layers resolve in their publisher's account and region; stored ARNs are unchanged."""

from __future__ import annotations

import io
import zipfile

import pytest
from botocore.exceptions import ClientError

from lambda_processor.sandbox import (
    KNOWN_PUBLIC_LAYERS,
    SandboxError,
    backend_lock,
    public_layer_package,
    seed_public_layer,
)

POWERTOOLS_21 = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:21"
POWERTOOLS_1 = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:1"


def layer_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/mine.py", "X = 1\n")
    return buffer.getvalue()


def layer_versions(account: str, name: str) -> list[int]:
    from moto.awslambda.models import lambda_backends

    with backend_lock:
        return [version.version for version in lambda_backends[account]["us-east-1"].list_layer_versions(name)]


def test_a_powertools_layer_arn_is_accepted_and_stored_unchanged(client, make_function):
    created = make_function("enhanced", Layers=[POWERTOOLS_21])
    assert [layer["Arn"] for layer in created["Layers"]] == [POWERTOOLS_21]
    config = client("lambda").get_function_configuration(FunctionName="enhanced")
    assert [layer["Arn"] for layer in config["Layers"]] == [POWERTOOLS_21]


def test_auto_seeding_publishes_the_layer_in_the_publisher_account_only(make_function):
    make_function("enhanced", Layers=[POWERTOOLS_21])
    assert layer_versions("017000801446", "AWSLambdaPowertoolsPythonV2") == list(range(1, 22))
    assert layer_versions("123456789012", "AWSLambdaPowertoolsPythonV2") == []


def test_a_same_named_private_layer_is_not_silently_matched(client, make_function):
    client("lambda").publish_layer_version(LayerName="AWSLambdaPowertoolsPythonV2", Content={"ZipFile": layer_zip()})
    created = make_function("enhanced", Layers=[POWERTOOLS_1])
    assert [layer["Arn"] for layer in created["Layers"]] == [POWERTOOLS_1]


def test_own_account_layers_still_resolve(client, make_function):
    own = client("lambda").publish_layer_version(LayerName="shared-code", Content={"ZipFile": layer_zip()})
    created = make_function("uses-own", Layers=[own["LayerVersionArn"]])
    assert [layer["Arn"] for layer in created["Layers"]] == [own["LayerVersionArn"]]


def test_an_unknown_layer_of_another_account_is_rejected(client, make_function):
    with pytest.raises(ClientError) as raised:
        make_function("bad-layer", Layers=["arn:aws:lambda:us-east-1:999999999999:layer:nothing:3"])
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_seed_public_layer_reaches_the_requested_version(aws):
    arn = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:5"
    with backend_lock:
        layer_version = seed_public_layer(arn)
        assert layer_version.arn == arn
        again = seed_public_layer(arn)  # idempotent: nothing more is published
        assert again is layer_version


def test_seed_public_layer_rejects_a_non_layer_arn(aws):
    with pytest.raises(SandboxError, match="not a layer version ARN"):
        seed_public_layer("arn:aws:lambda:us-east-1:017000801446:function:x")


def test_known_public_layers_map_to_local_packages():
    assert KNOWN_PUBLIC_LAYERS["AWSLambdaPowertoolsPythonV2"] == "aws_lambda_powertools"
    assert public_layer_package(POWERTOOLS_21) == "aws_lambda_powertools"
    assert public_layer_package("arn:aws:lambda:us-east-1:123456789012:layer:AWSLambdaPowertoolsPythonV2:1") is None
    assert public_layer_package("arn:aws:lambda:us-east-1:017000801446:layer:SomethingElse:1") is None

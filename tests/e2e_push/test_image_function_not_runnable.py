"""An image function without a local code folder is reported as not runnable, and the rest of
the configuration keeps running (fixture ``image-without-code``: an image function beside a
zip function)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from .push_support import client, copy_fixture, running_sandbox

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def mixed(examples_copy: Path):
    with running_sandbox(copy_fixture(examples_copy, "image-without-code")) as sandbox:
        yield sandbox


def test_image_function_without_code_folder_is_reported_not_runnable(mixed):
    image = mixed.outputs()["image_function_name"]
    reason = mixed.not_runnable[image]
    assert "container image" in reason and "--image-code" in reason
    [status] = [f for f in mixed.status()["functions"] if f["name"] == image]
    assert status["runnable"] is False
    assert status["reason"] == reason
    with pytest.raises(ClientError) as raised:
        client(mixed, "lambda").invoke(FunctionName=image, Payload=b"{}")
    assert raised.value.response["Error"]["Code"] == "ResourceNotReadyException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502


def test_the_other_function_keeps_running(mixed):
    outputs = mixed.outputs()
    echo = outputs["zip_function_name"]
    assert echo not in mixed.not_runnable
    response = client(mixed, "lambda").invoke(FunctionName=echo, Payload=json.dumps({"n": 1}).encode())
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"echo": {"n": 1}, "function": echo}

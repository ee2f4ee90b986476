"""Fixtures: a fresh embedded AWS per test, boto3 clients against it, a deployable function."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from lambda_processor.sandbox import EmbeddedAws

TRUST_LAMBDA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


@pytest.fixture
def aws() -> Iterator[EmbeddedAws]:
    sandbox = EmbeddedAws.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def client(aws: EmbeddedAws) -> Callable[..., Any]:
    """``client("sqs")`` with the admin key ``test``; pass credentials to sign as someone else."""

    def make(service: str, credentials: tuple[str, str, str] | None = None) -> Any:
        key, secret, token = credentials or ("test", "test", None)
        return boto3.client(
            service,
            endpoint_url=aws.endpoint_url,
            region_name=aws.region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
        )

    return make


def handler_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture
def role_arn(client: Callable[..., Any]) -> str:
    iam = client("iam")
    return iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]


@pytest.fixture
def make_function(client: Callable[..., Any], role_arn: str) -> Callable[..., dict[str, Any]]:
    """Create a Python function named ``name`` with extra CreateFunction fields."""

    def make(name: str = "fn", **extra: Any) -> dict[str, Any]:
        return client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role_arn,
            Handler="app.handler",
            Code={"ZipFile": handler_zip()},
            **extra,
        )

    return make


class RecordingHooks:
    """Hook implementations that record their calls (what the data plane would enqueue)."""

    def __init__(self, invoke_result: tuple[int, bytes, str | None, str | None] = (200, b'{"ok": true}', None, None)):
        self.invocations: list[dict[str, Any]] = []
        self.sns_deliveries: list[dict[str, Any]] = []
        self.eventbridge_deliveries: list[dict[str, Any]] = []
        self.invoke_result = invoke_result

    def invoke(self, **call: Any) -> tuple[int, bytes, str | None, str | None]:
        self.invocations.append(call)
        return self.invoke_result

    def sns_publish(self, **call: Any) -> None:
        self.sns_deliveries.append(call)

    def eventbridge_target(self, **call: Any) -> None:
        self.eventbridge_deliveries.append(call)


@pytest.fixture
def recorder() -> type[RecordingHooks]:
    """The RecordingHooks class (test modules cannot import conftest directly)."""
    return RecordingHooks


@pytest.fixture
def hooks(aws: EmbeddedAws) -> RecordingHooks:
    """Recording hooks registered on the sandbox for invoke, SNS and EventBridge."""
    from lambda_processor.sandbox import SandboxHooks

    recording = RecordingHooks()
    aws.set_hooks(
        SandboxHooks(
            invoke=recording.invoke,
            sns_publish=recording.sns_publish,
            eventbridge_target=recording.eventbridge_target,
        )
    )
    return recording

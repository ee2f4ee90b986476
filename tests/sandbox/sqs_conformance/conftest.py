"""The SQS conformance harness: one suite, run over HTTP against moto's queue and the store.

Every test gets the ``sqs`` fixture three times: with moto 5.2.5's own ``Queue`` ("moto") and
with the SQS store installed ("store"), both behind the same plain in-process
``ThreadedMotoServer``; and with the store behind the sandbox's own server ("sandbox":
``EmbeddedAws``, every request under the backend lock, all adapter patches on). All are driven
by boto3, so a test passing for every one means they give the same results through the API every
SDK, the CLI and Terraform use.

Time: moto and the store read ``moto.sqs.models.unix_time``/``unix_time_millis``. The harness
replaces both with a clock that follows real time plus an offset the test can advance, so
visibility timeouts, delays, the deduplication window and retention are tested without waiting,
while long polls (which wait in real time) still behave.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from moto.sqs import models as sqs_models

from lambda_processor.sandbox import EmbeddedAws
from lambda_processor.sandbox.moto_adapter.sqs_store import IndexedQueue, install_sqs_store, uninstall_sqs_store

REGION = "us-east-1"
ALL_COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


class ShiftedClock:
    """Real time plus an offset that only ever grows."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def unix_time(self, dt: Any = None) -> float:
        assert dt is None, "moto.sqs only asks for the current time"
        return time.time() + self._offset

    def unix_time_millis(self, dt: Any = None) -> float:
        return self.unix_time(dt) * 1000.0


class SqsHarness:
    """boto3 against the server, plus the clock and a few shorthands."""

    def __init__(self, implementation: str, client: Any, clock: ShiftedClock):
        self.implementation = implementation
        self.client = client
        self.clock = clock

    def create_queue(self, name: str, **attributes: Any) -> str:
        """Create a queue with string-valued attributes; returns its URL."""
        attrs = {key: str(value) for key, value in attributes.items()}
        url = self.client.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        # The parametrization is only worth something if each run really uses its queue class.
        queue = sqs_models.sqs_backends["123456789012"][REGION].queues[name]
        assert isinstance(queue, IndexedQueue) == (self.implementation != "moto"), type(queue)
        return url

    def arn(self, url: str) -> str:
        return self.client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def send(self, url: str, body: str, **params: Any) -> dict[str, Any]:
        return self.client.send_message(QueueUrl=url, MessageBody=body, **params)

    def receive(self, url: str, max_messages: int = 10, **params: Any) -> list[dict[str, Any]]:
        """ReceiveMessage with every system and message attribute; no long poll unless asked."""
        params.setdefault("WaitTimeSeconds", 0)
        response = self.client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=max_messages,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=params.pop("MessageAttributeNames", ["All"]),
            **params,
        )
        return response.get("Messages", [])

    def bodies(self, url: str, max_messages: int = 10, **params: Any) -> list[str]:
        return [message["Body"] for message in self.receive(url, max_messages, **params)]

    def counts(self, url: str) -> dict[str, int]:
        attributes = self.client.get_queue_attributes(QueueUrl=url, AttributeNames=list(ALL_COUNTS))["Attributes"]
        return {
            "visible": int(attributes["ApproximateNumberOfMessages"]),
            "not_visible": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
            "delayed": int(attributes["ApproximateNumberOfMessagesDelayed"]),
        }

    def delete(self, url: str, receipt_handle: str) -> None:
        self.client.delete_message(QueueUrl=url, ReceiptHandle=receipt_handle)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def shifted_clock(monkeypatch: pytest.MonkeyPatch) -> ShiftedClock:
    clock = ShiftedClock()
    monkeypatch.setattr(sqs_models, "unix_time", clock.unix_time)
    monkeypatch.setattr(sqs_models, "unix_time_millis", clock.unix_time_millis)
    return clock


@pytest.fixture(params=["moto", "store", "sandbox"])
def sqs(request: pytest.FixtureRequest, moto_endpoint: str, shifted_clock: ShiftedClock) -> Iterator[SqsHarness]:
    sandbox = None
    endpoint = moto_endpoint
    if request.param in ("store", "sandbox"):
        install_sqs_store()  # before the sandbox's own patches, as the sandbox itself does
    if request.param == "sandbox":
        sandbox = EmbeddedAws.start()
        endpoint = sandbox.endpoint_url
    client = boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=60),
    )
    try:
        yield SqsHarness(request.param, client, shifted_clock)
    finally:
        if sandbox is not None:
            sandbox.stop()
        uninstall_sqs_store()
        sqs_models.sqs_backends.reset()

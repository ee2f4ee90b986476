"""Helpers for the end-to-end tests: a scratch copy of the repository, a running LocalSandbox,
a recorder of what the data plane invoked, and queue/log readers that report what landed.

Terraform applies take about a minute (the aws provider waits ~25 s per SQS queue), so each
test module starts ONE sandbox for all its tests (only one embedded AWS runs per process).
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lambda_processor.terraform import toolchain

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_RELATIVE = Path("tests") / "e2e" / "fixtures"
COPY_IGNORE = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", "build", "__pycache__", "*.pyc", "*_override.tf", "*.tfstate*",
    "*.tfplan", ".lambda-processor", "node_modules",
)
# How long a test waits for the data plane to settle before it reports what is missing.
SETTLE_SECONDS = 90


def require_terraform() -> None:
    """Skip (saying why) unless terraform is on PATH and the aws provider can be installed."""
    if shutil.which("terraform") is None:
        pytest.skip("terraform not on PATH")
    if toolchain.find_provider_mirror() is None:
        try:
            socket.getaddrinfo("registry.terraform.io", 443)
        except OSError:
            pytest.skip("the hashicorp/aws provider is absent: no local mirror and no registry access")


def copy_workspace(destination: Path) -> Path:
    """A scratch copy of addons/, examples/ and tests/e2e/fixtures/ with the repository's layout,
    so the configurations' relative module sources resolve and nothing is written into the tree."""
    shutil.copytree(REPO_ROOT / "addons", destination / "addons", ignore=COPY_IGNORE)
    shutil.copytree(REPO_ROOT / "examples", destination / "examples", ignore=COPY_IGNORE)
    shutil.copytree(REPO_ROOT / FIXTURES_RELATIVE, destination / FIXTURES_RELATIVE, ignore=COPY_IGNORE)
    return destination


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_sandbox(config_dir: Path, variables: dict[str, str] | None = None):
    """Apply ``config_dir`` to a fresh embedded AWS and run its data plane; stop it afterwards."""
    from lambda_processor.app import LocalSandbox, SandboxOptions

    require_terraform()
    progress: list[str] = []
    sandbox = LocalSandbox(SandboxOptions(config_dir=config_dir, variables=dict(variables or {}),
                                          progress=progress.append))
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


# -- what the data plane invoked -------------------------------------------------------------


@dataclass(frozen=True)
class Invocation:
    """One invocation the data plane made: the exact event the handler got and what came back."""

    function_name: str
    event: dict
    result: object | None  # execution.InvocationResult, None when throttled
    throttled: bool

    @property
    def records(self) -> list[dict]:
        return self.event.get("Records", [])

    @property
    def failed(self) -> bool:
        return self.result is not None and self.result.function_error is not None

    @property
    def error(self) -> dict:
        """The error payload (errorType, errorMessage) of a failed invocation, else {}."""
        return json.loads(self.result.payload) if self.failed else {}


@dataclass
class InvocationRecorder:
    """Wraps the sandbox's invoker so every invocation (SQS poller, API, async) is recorded.

    The pollers look ``sandbox.invoker.invoke`` up on every call, so wrapping the bound method
    on the instance observes them without changing what they do.
    """

    calls: list[Invocation] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def attach(cls, sandbox) -> "InvocationRecorder":
        recorder = cls()
        original = sandbox.invoker.invoke

        def recording_invoke(function_name: str, payload: bytes, **kwargs):
            outcome = original(function_name, payload, **kwargs)
            with recorder._lock:
                recorder.calls.append(Invocation(function_name, json.loads(payload), outcome.result, outcome.throttled))
            return outcome

        sandbox.invoker.invoke = recording_invoke
        return recorder

    def for_function(self, function_name: str) -> list[Invocation]:
        with self._lock:
            return [c for c in self.calls if c.function_name == function_name]

    def deliveries(self, function_name: str) -> dict[str, list[tuple[int, Invocation]]]:
        """messageId -> [(ApproximateReceiveCount the handler saw, invocation)] in call order."""
        seen: dict[str, list[tuple[int, Invocation]]] = {}
        for call in self.for_function(function_name):
            for record in call.records:
                count = int(record["attributes"]["ApproximateReceiveCount"])
                seen.setdefault(record["messageId"], []).append((count, call))
        return seen


# -- queues and logs ---------------------------------------------------------------------------


def queue_depth(sqs, queue_url: str) -> int:
    """Messages in the queue: visible + in flight + delayed."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in (
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"))


def drain(sqs, queue_url: str) -> list[dict]:
    """Receive and delete every visible message (with all attributes)."""
    messages: list[dict] = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                    AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])


def log_messages(logs, function_name: str) -> list[str]:
    """Every message in ``/aws/lambda/<function_name>``, in time order."""
    events: list[dict] = []
    kwargs = {"logGroupName": f"/aws/lambda/{function_name}"}
    while True:
        page = logs.filter_log_events(**kwargs)
        events.extend(page.get("events", []))
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    return [e["message"] for e in sorted(events, key=lambda e: (e["timestamp"], e.get("ingestionTime", 0)))]


def wait_until(condition: Callable[[], bool], describe: Callable[[], str], timeout: float = SETTLE_SECONDS,
               interval: float = 0.5) -> None:
    """Poll until ``condition()`` holds; on timeout fail with ``describe()`` (what was seen)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"the data plane did not settle within {timeout:.0f} s: {describe()}")
        time.sleep(interval)


def boto_client(sandbox, service: str):
    """A boto3 client for ``service`` against the sandbox's endpoint."""
    from lambda_processor.client import SandboxClient

    return SandboxClient(sandbox.aws.endpoint_url, sandbox.options.region).boto(service)


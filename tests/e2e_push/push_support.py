"""Helpers for the push-source end-to-end tests: a scratch copy of the examples, one running
``LocalSandbox`` at a time, boto3 clients against it, and waiting for asynchronous effects.

Terraform runs in a temporary COPY of ``addons/`` + ``examples/``: other engineers (and the
demo) apply the same examples in place, and two applies in one folder would collide on the
override file and the sandbox state.
"""

from __future__ import annotations

import json
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import boto3
import pytest

from lambda_processor.app import LocalSandbox, SandboxOptions
from lambda_processor.clock import Clock
from lambda_processor.errors import TerraformError
from lambda_processor.terraform import toolchain

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI = REPO_ROOT / ".venv" / "bin" / "lambda-processor"
COPY_IGNORE = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", ".lambda-processor", "build", "node_modules", "__pycache__", "*.pyc",
    "*_override.tf", "*.tfstate*", "*.tfplan",
)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADMIN_CREDENTIALS = ("test", "test", None)
WAIT_SECONDS = 60.0

T = TypeVar("T")


def copy_workspace(root: Path) -> Path:
    """Copy ``addons/`` and ``examples/`` under ``root``; return the copied ``examples`` folder."""
    shutil.copytree(REPO_ROOT / "addons", root / "addons", ignore=COPY_IGNORE)
    shutil.copytree(REPO_ROOT / "examples", root / "examples", ignore=COPY_IGNORE)
    return root / "examples"


def copy_fixture(examples_copy: Path, name: str) -> Path:
    """Copy ``fixtures/<name>`` next to the copied examples (its ``../../addons`` and ``../tools`` resolve there)."""
    target = examples_copy / name
    if not target.exists():
        shutil.copytree(FIXTURES / name, target, ignore=COPY_IGNORE)
    return target


def require_terraform() -> None:
    """Skip (saying why) when the terraform binary is not installed."""
    if shutil.which("terraform") is None:
        pytest.skip("terraform not on PATH: install terraform >= 1.9 to run the end-to-end tests")


@contextmanager
def running_sandbox(config_dir: Path, *, variables: dict[str, str] | None = None,
                    image_code_dirs: dict[str, Path] | None = None, clock: Clock | None = None,
                    ) -> Iterator[LocalSandbox]:
    """Apply ``config_dir`` to a fresh embedded AWS with the data plane running; stop it afterwards.

    Skips only when terraform is missing, or when the aws provider can neither come from the
    local mirror nor from the registry.
    """
    require_terraform()
    options = SandboxOptions(config_dir=config_dir, variables=dict(variables or {}),
                             image_code_dirs=dict(image_code_dirs or {}))
    sandbox = LocalSandbox(options, clock=clock)
    try:
        sandbox.start()
    except TerraformError as error:
        text = str(error).lower()
        if toolchain.find_provider_mirror() is None and (
            "failed to query available provider packages" in text or "could not connect to registry" in text
        ):
            pytest.skip("the hashicorp/aws provider is not installable: no local mirror and no registry access")
        raise
    try:
        yield sandbox
    finally:
        sandbox.stop()


def client(sandbox: LocalSandbox, service: str, credentials: tuple[str, str, str | None] = ADMIN_CREDENTIALS) -> Any:
    """A boto3 client against the sandbox; admin unless ``credentials`` (key, secret, token) say otherwise."""
    key, secret, token = credentials
    return boto3.client(service, endpoint_url=sandbox.aws.endpoint_url, region_name=sandbox.options.region,
                        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)


def wait_for(what: str, probe: Callable[[], T | None], *, timeout: float = WAIT_SECONDS, every: float = 0.2) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def drain_queue(sqs: Any, queue_url: str) -> list[dict]:
    """Every message currently visible in the queue (deleted as read), with all attributes."""
    messages: list[dict] = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                    MessageAttributeNames=["All"], AttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])


class QueueReader:
    """Collects a queue's messages across polls, so tests can wait for the ones they expect."""

    def __init__(self, sqs: Any, queue_url: str):
        self._sqs = sqs
        self._url = queue_url
        self.messages: list[dict] = []

    def matching(self, predicate: Callable[[dict], bool]) -> list[dict]:
        """Read what is new, then return every message seen so far that ``predicate`` accepts."""
        self.messages.extend(drain_queue(self._sqs, self._url))
        return [m for m in self.messages if predicate(m)]


def log_messages(sandbox: LocalSandbox, function_name: str) -> list[str]:
    """Every line the function logged so far (flushed to CloudWatch Logs first)."""
    sandbox.flush()
    logs = client(sandbox, "logs")
    group = f"/aws/lambda/{function_name}"
    messages: list[str] = []
    kwargs: dict[str, Any] = {"logGroupName": group}
    while True:
        page = logs.filter_log_events(**kwargs)
        messages.extend(event["message"] for event in page.get("events", []))
        if not page.get("nextToken"):
            return messages
        kwargs["nextToken"] = page["nextToken"]


def json_lines(messages: list[str]) -> list[dict]:
    """The JSON objects logged, parsed; Node's ``<ts>\t<requestId>\t<LEVEL>\t`` prefix is skipped."""
    parsed = []
    for message in messages:
        text = message.strip().rsplit("\t", 1)[-1]
        if text.startswith("{"):
            try:
                parsed.append(json.loads(text))
            except ValueError:
                continue
    return parsed


class RecordedInvocations:
    """Wraps ``sandbox.invoker.invoke`` to keep every payload a function was handed, by name."""

    def __init__(self, sandbox: LocalSandbox):
        self.payloads: dict[str, list[dict]] = {}
        invoker = sandbox.invoker
        original = invoker.invoke

        def recording(name: str, payload: bytes, *args: Any, **kwargs: Any):
            try:
                self.payloads.setdefault(name, []).append(json.loads(payload))
            except ValueError:
                self.payloads.setdefault(name, []).append({"_raw": payload.decode("utf-8", "replace")})
            return original(name, payload, *args, **kwargs)

        invoker.invoke = recording

    def of(self, name: str) -> list[dict]:
        """The payloads ``name`` received, oldest first."""
        return list(self.payloads.get(name, []))

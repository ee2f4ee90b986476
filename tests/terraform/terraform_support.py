"""Helpers and fixtures for the terraform runner: one moto server, one real apply of the sample.

The sample apply takes about a minute (the aws provider waits ~25 s per SQS queue), so it
is done once per session and shared by every test that reads its result.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lambda_processor.terraform import toolchain
from lambda_processor.terraform.runner import AppliedState, SandboxApply

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_VARIABLES = {"name_prefix": "sample"}
UPDATE_SAMPLE_STATE_ENV = "LAMBDA_PROCESSOR_UPDATE_SAMPLE_STATE"


def require_terraform() -> None:
    """Skip unless terraform is on PATH and the aws provider can be installed."""
    if shutil.which("terraform") is None:
        pytest.skip("terraform not on PATH")
    if toolchain.find_provider_mirror() is None:
        try:
            socket.getaddrinfo("registry.terraform.io", 443)
        except OSError:
            pytest.skip("the hashicorp/aws provider is absent: no local mirror and no registry access")


def copy_fixture(name: str, destination: Path) -> Path:
    """A scratch copy of ``fixtures/<name>`` (tests must not write into the repository)."""
    target = destination / name
    shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns("build", ".lambda-processor"))
    return target


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A plain moto server on 127.0.0.1 for this session's terraform tests."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class SampleApply:
    config_dir: Path
    files_before: dict[str, bytes]
    applied: AppliedState
    progress: list[str] = field(default_factory=list)


def tree_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` except the sandbox's own, with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".lambda-processor" not in path.relative_to(folder).parts
    }


@pytest.fixture(scope="session")
def sample_apply(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> SampleApply:
    """fixtures/sample applied once to the session's moto server."""
    require_terraform()
    config_dir = copy_fixture("sample", tmp_path_factory.mktemp("sample-apply"))
    before = tree_snapshot(config_dir)
    progress: list[str] = []
    applied = SandboxApply(config_dir, moto_endpoint, variables=SAMPLE_VARIABLES, progress=progress.append).apply()
    if os.environ.get(UPDATE_SAMPLE_STATE_ENV) == "1":
        from sample_state import write_sample_state

        write_sample_state(applied.state)
    return SampleApply(config_dir=config_dir, files_before=before, applied=applied, progress=progress)

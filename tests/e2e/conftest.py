"""Fixtures for the end-to-end tests (helpers live in e2e_support.py and cli_support.py).

The CLI tests drive a ``lambda-processor up`` subprocess. It is started when the e2e session
begins and the CLI tests run last, so its terraform apply (~40 s, mostly the aws provider
waiting) overlaps the in-process sandboxes of the other modules instead of adding to them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import UpProcess
from e2e_support import FIXTURES_RELATIVE, copy_workspace, free_port, require_terraform

CLI_TEST_MODULE = "test_e2e_cli.py"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the CLI tests to the end (their `up` applies in the background meanwhile)."""
    cli_items = [item for item in items if item.path.name == CLI_TEST_MODULE]
    if cli_items:
        items[:] = [item for item in items if item.path.name != CLI_TEST_MODULE] + cli_items


@pytest.fixture(scope="session")
def e2e_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch copy of addons/, examples/ and tests/e2e/fixtures/ shared by every e2e module."""
    return copy_workspace(tmp_path_factory.mktemp("e2e-workspace"))


@pytest.fixture(scope="session", autouse=True)
def background_cli_up(request: pytest.FixtureRequest, e2e_workspace: Path, tmp_path_factory: pytest.TempPathFactory):
    """`lambda-processor up fixtures/echo --port N`, started now if any CLI test is selected, else None."""
    wanted = any(item.path.name == CLI_TEST_MODULE for item in request.session.items)
    if not wanted:
        yield None
        return
    try:
        require_terraform()
    except pytest.skip.Exception:
        yield None  # the CLI tests skip themselves, saying why
        return
    process = UpProcess(e2e_workspace / FIXTURES_RELATIVE / "echo", free_port(), tmp_path_factory.mktemp("cli-up"))
    try:
        yield process
    finally:
        process.kill()

"""Fixtures for execution-environment tests: real worker processes on handler fixtures."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest
from execution_fixtures import function_spec

from lambda_processor.execution import FunctionRuntime


@pytest.fixture
def make_runtime() -> Iterator[Callable[..., FunctionRuntime]]:
    """Build FunctionRuntimes that are closed after the test, whatever happens."""
    runtimes: list[FunctionRuntime] = []

    def build(handler: str, *, max_concurrency: int | None = None, log_sink=None, account_limiter=None,
              extra_node_path=None, **overrides) -> FunctionRuntime:
        runtime = FunctionRuntime(
            function_spec(handler, **overrides),
            max_concurrency=max_concurrency,
            log_sink=log_sink,
            account_limiter=account_limiter,
            extra_node_path=extra_node_path,
        )
        runtimes.append(runtime)
        return runtime

    yield build
    for runtime in runtimes:
        runtime.close()


@pytest.fixture
def node_required() -> None:
    """Skip Node.js tests when node is not installed."""
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH: Node.js execution environments cannot run here")

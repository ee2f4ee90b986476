"""Shared test helpers for tests/execution (a module with a unique name, importable by tests)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lambda_processor.execution import FunctionSpec

HANDLERS = Path(__file__).resolve().parent / "handlers"
PYTHON_HANDLERS = HANDLERS / "python"
NODE_HANDLERS = HANDLERS / "node"
ACCOUNT = "123456789012"
REGION = "eu-west-1"


def function_spec(handler: str, **overrides) -> FunctionSpec:
    """A Python function spec on the fixture handlers; override any field."""
    name = overrides.pop("name", "orders-fn")
    spec = FunctionSpec(
        name=name,
        arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        runtime="python3.11",
        handler=handler,
        code_dir=PYTHON_HANDLERS,
        layer_dirs=(),
        memory_size=256,
        timeout=5,
        environment={"GREETING": "hello"},
        region=REGION,
        account_id=ACCOUNT,
    )
    return replace(spec, **overrides)

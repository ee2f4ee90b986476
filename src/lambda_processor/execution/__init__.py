"""Execution environments: Lambda handlers in warm Python and Node.js worker processes.

``FunctionRuntime(spec).invoke(payload)`` runs a handler the way Lambda does: cold
start, warm reuse, one invocation per environment, timeout and memory limits,
reserved concurrency, START/END/REPORT log lines.
"""

from lambda_processor.execution.limiter import DEFAULT_ACCOUNT_CONCURRENCY, ConcurrencyLimiter
from lambda_processor.execution.model import (
    LATEST_VERSION,
    EnvironmentClosed,
    FunctionSpec,
    InvocationResult,
    RuntimeUnavailable,
    Throttled,
)
from lambda_processor.execution.runtime import FunctionRuntime, InvalidClientContext, decode_client_context

__all__ = [
    "DEFAULT_ACCOUNT_CONCURRENCY",
    "LATEST_VERSION",
    "ConcurrencyLimiter",
    "EnvironmentClosed",
    "FunctionRuntime",
    "FunctionSpec",
    "InvalidClientContext",
    "InvocationResult",
    "RuntimeUnavailable",
    "Throttled",
    "decode_client_context",
]

"""What an execution environment needs, what an invocation returns, and its errors.

Nothing here knows about triggers: the data plane turns queue messages, SNS
notifications or CLI calls into payload bytes before they reach ``execution``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lambda_processor.errors import LambdaProcessorError

#: The only version the local runtime deploys; AWS calls the unpublished version this.
LATEST_VERSION = "$LATEST"

#: Default credentials when the function has no role credentials (moto accepts anything).
DEFAULT_CREDENTIALS = ("test", "test", "test")


@dataclass(frozen=True)
class FunctionSpec:
    """Everything an execution environment needs to run one function's code."""

    name: str
    arn: str
    runtime: str
    handler: str
    code_dir: Path
    layer_dirs: tuple[Path, ...]
    memory_size: int
    timeout: int
    environment: dict[str, str]
    region: str
    account_id: str
    architectures: tuple[str, ...] = ("x86_64",)
    tracing_mode: str | None = None
    endpoint_url: str | None = None
    credentials: tuple[str, str, str] | None = None  # role access key, secret, session token

    @property
    def log_group(self) -> str:
        """The CloudWatch log group AWS writes this function's logs to (INV-32)."""
        return f"/aws/lambda/{self.name}"

    @property
    def tracing_active(self) -> bool:
        """Whether X-Ray tracing mode is Active (sampled trace headers, XRAY REPORT line)."""
        return (self.tracing_mode or "").lower() == "active"


@dataclass(frozen=True)
class InvocationResult:
    """The outcome of one invocation, shaped like Lambda's Invoke response plus its logs."""

    request_id: str
    payload: bytes
    function_error: str | None  # None or "Unhandled"
    error_type: str | None
    error_message: str | None
    duration_ms: float
    billed_duration_ms: int
    max_memory_used_mb: int
    init_duration_ms: float | None
    cold_start: bool
    log_lines: tuple[str, ...]  # handler output plus START/END/REPORT, in order
    trace_id: str | None = None  # X-Ray root trace id when tracing is Active
    log_stream: str = ""
    log_timestamps_ms: tuple[int, ...] = field(default=(), repr=False)  # one per log line

    @property
    def failed(self) -> bool:
        """True when the invocation ended in a function error (INV-2, INV-3)."""
        return self.function_error is not None


class Throttled(LambdaProcessorError):
    """An invocation was refused because a concurrency limit is exhausted (INV-12, INV-13).

    ``reason`` is AWS's reason code, e.g. ``ReservedFunctionConcurrentInvocationLimitExceeded``.
    """

    def __init__(self, function_name: str, reason: str, limit: int):
        self.function_name = function_name
        self.reason = reason
        self.limit = limit
        super().__init__(
            f"Rate Exceeded. ({reason}, limit {limit})",
            where=function_name,
            hint="retry later, or raise reserved_concurrent_executions",
        )


class RuntimeUnavailable(LambdaProcessorError):
    """The function's runtime cannot run locally (unsupported runtime or missing binary)."""


class EnvironmentClosed(LambdaProcessorError):
    """An invocation arrived after ``FunctionRuntime.close()``."""

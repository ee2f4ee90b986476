"""The environment variables Lambda sets in an execution environment (INV-40), pure.

A worker starts from a clean environment, not the parent's: AWS gives the handler
only the function's variables and the reserved ones, and inheriting the parent's
``AWS_PROFILE`` or real credentials would point handlers away from the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lambda_processor.execution.model import DEFAULT_CREDENTIALS, LATEST_VERSION, FunctionSpec

#: Variables carried over from the parent because the OS needs them to run binaries.
PASSTHROUGH_VARIABLES = ("PATH", "LD_LIBRARY_PATH", "SYSTEMROOT", "TMPDIR")


def reserved_variables(spec: FunctionSpec, *, log_stream: str, runtime_dir: Path) -> dict[str, str]:
    """Lambda's reserved and default variables for ``spec`` (everything except the trace id)."""
    access_key, secret_key, session_token = spec.credentials or DEFAULT_CREDENTIALS
    variables = {
        "_HANDLER": spec.handler,
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": LATEST_VERSION,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_SESSION_TOKEN": session_token,
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "LAMBDA_RUNTIME_DIR": str(runtime_dir),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }
    if spec.endpoint_url:
        variables["AWS_ENDPOINT_URL"] = spec.endpoint_url
    return variables


def worker_environment(
    spec: FunctionSpec,
    *,
    log_stream: str,
    runtime_dir: Path,
    parent_environment: Mapping[str, str],
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The full environment of a worker process.

    Order of precedence (last wins): OS passthrough, the function's variables,
    runtime-specific ``extra`` (e.g. ``NODE_PATH``), then Lambda's reserved variables,
    which a function cannot override in AWS either.
    """
    environment = {key: parent_environment[key] for key in PASSTHROUGH_VARIABLES if key in parent_environment}
    environment.update(spec.environment)
    environment.update(extra or {})
    environment.update(reserved_variables(spec, log_stream=log_stream, runtime_dir=runtime_dir))
    return environment

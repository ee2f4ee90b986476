"""Lambda's platform log lines (START, END, REPORT, timeout) and billing arithmetic, pure."""

from __future__ import annotations

import math

from lambda_processor.execution.identifiers import TraceContext, iso_timestamp
from lambda_processor.execution.model import LATEST_VERSION


def billed_duration_ms(duration_ms: float) -> int:
    """Lambda bills duration rounded up to the next millisecond, at least 1 ms."""
    return max(1, math.ceil(duration_ms))


def start_line(request_id: str, version: str = LATEST_VERSION) -> str:
    """``START RequestId: <id> Version: $LATEST``."""
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    """``END RequestId: <id>``."""
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    *,
    duration_ms: float,
    memory_size_mb: int,
    max_memory_used_mb: int,
    init_duration_ms: float | None,
    trace: TraceContext | None = None,
    segment_id: str | None = None,
) -> str:
    """The REPORT line; Init Duration only on a cold start, the XRAY part only when traced."""
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_duration_ms(duration_ms)} ms",
        f"Memory Size: {memory_size_mb} MB",
        f"Max Memory Used: {max_memory_used_mb} MB",
    ]
    if init_duration_ms is not None:
        fields.append(f"Init Duration: {init_duration_ms:.2f} ms")
    line = "\t".join(fields)
    if trace is not None and trace.sampled:
        line += f"\nXRAY TraceId: {trace.root}\tSegmentId: {segment_id or trace.parent}\tSampled: true"
    return line


def timeout_message(request_id: str, timeout_seconds: float) -> str:
    """The errorMessage of a timed-out invocation (INV-2)."""
    return f"RequestId: {request_id} Error: Task timed out after {timeout_seconds:.2f} seconds"


def timeout_log_line(request_id: str, timeout_seconds: float, now_epoch: float) -> str:
    """``<ts> <id> Task timed out after N.00 seconds``, logged before END."""
    return f"{iso_timestamp(now_epoch)} {request_id} Task timed out after {timeout_seconds:.2f} seconds"


def exit_message(request_id: str, exit_description: str) -> str:
    """The errorMessage when the runtime process dies mid-invocation (``Runtime.ExitError``)."""
    return f"RequestId: {request_id} Error: Runtime exited with error: {exit_description}"


def describe_exit(returncode: int | None) -> str:
    """Go-style exit description the Lambda service uses: ``exit status 1`` / ``signal: killed``."""
    signal_names = {9: "killed", 15: "terminated", 6: "aborted", 11: "segmentation fault", 2: "interrupt"}
    if returncode is None:
        return "signal: killed"
    if returncode < 0:
        return f"signal: {signal_names.get(-returncode, f'signal {-returncode}')}"
    return f"exit status {returncode}"

"""``FunctionRuntime``: one function's pool of warm execution environments.

It admits or throttles an invocation (INV-12/13), picks an idle environment (LIFO,
so the most recently used, warmest one serves next) or cold-starts a new one, and
turns the process-level outcome into an ``InvocationResult`` with Lambda's log lines.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import json
import logging
import os
import secrets
import signal
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path

from lambda_processor.errors import LambdaProcessorError
from lambda_processor.execution import report_lines
from lambda_processor.execution.environment import ExecutionEnvironment, InvocationRequest, ProcessOutcome
from lambda_processor.execution.identifiers import TraceContext, log_stream_name, trace_context
from lambda_processor.execution.launch import worker_launch
from lambda_processor.execution.limiter import ConcurrencyLimiter
from lambda_processor.execution.model import EnvironmentClosed, FunctionSpec, InvocationResult, Throttled

LogSink = Callable[[str, str, list[tuple[int, str]]], None]

_logger = logging.getLogger(__name__)

#: Synchronous invocation response limit (6 MB, as Lambda counts it).
MAX_SYNC_RESPONSE_BYTES = 6291556

RESERVED_LIMIT_REASON = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_LIMIT_REASON = "ConcurrentInvocationLimitExceeded"


class InvalidClientContext(LambdaProcessorError):
    """The client context is neither JSON nor base64-encoded JSON (AWS: 400)."""


def decode_client_context(client_context: str | None) -> dict | None:
    """Invoke's ClientContext is base64 JSON; plain JSON is accepted too for convenience."""
    if not client_context:
        return None
    for decode in (lambda text: text, lambda text: base64.b64decode(text, validate=True).decode()):
        try:
            value = json.loads(decode(client_context))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            continue
        if isinstance(value, dict):
            return value
    raise InvalidClientContext(
        "Client context must be a valid Base64-encoded JSON object.",
        where="client_context",
        hint="pass base64 of a JSON object such as {\"custom\": {...}}",
    )


class FunctionRuntime:
    """A pool of warm ``ExecutionEnvironment``s for one function; ``invoke`` is thread-safe."""

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        max_concurrency: int | None = None,
        log_sink: LogSink | None = None,
        account_limiter: ConcurrencyLimiter | None = None,
        extra_node_path: Path | None = None,
    ):
        """``max_concurrency`` is reserved_concurrent_executions: None = only the account
        limit applies, 0 = every invoke throttles. ``account_limiter`` should be shared by
        all functions of the sandbox; without one this runtime gets AWS's default 1,000."""
        self.spec = spec
        self.max_concurrency = max_concurrency
        self._launch = worker_launch(spec, extra_node_path=extra_node_path)  # fails early if unrunnable
        self._log_sink = log_sink
        self._account = account_limiter if account_limiter is not None else ConcurrencyLimiter()
        self._lock = threading.Lock()
        self._idle: list[ExecutionEnvironment] = []
        self._environments: set[ExecutionEnvironment] = set()
        self._in_flight = 0
        self._closed = False
        self.cold_starts = 0
        self.throttles = 0
        self.invocations = 0
        _LIVE_RUNTIMES.add(self)

    # ------------------------------------------------------------------ counters

    @property
    def in_flight(self) -> int:
        """Invocations running now (what ConcurrentExecutions measures)."""
        return self._in_flight

    @property
    def environments(self) -> int:
        """Live environments, idle or busy."""
        with self._lock:
            return len(self._environments)

    @property
    def worker_pids(self) -> tuple[int, ...]:
        """Pids of the live workers (each is also its process group id)."""
        with self._lock:
            return tuple(env.pid for env in self._environments if env.pid is not None)

    # ------------------------------------------------------------------ invoke

    def invoke(
        self,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        invoked_arn: str | None = None,
        identity: dict | None = None,
    ) -> InvocationResult:
        """Run one invocation synchronously. Raises ``Throttled`` when a limit is exhausted;
        handler failures, timeouts and crashes come back as a result with ``function_error``."""
        request_id = request_id or str(uuid.uuid4())
        decoded_context = decode_client_context(client_context)
        self._admit()
        try:
            environment, cold = self._checkout()
            init = self._initialise(environment) if cold else None
            if init is not None and (init.kind != "result" or init.error_type):
                result = self._init_failure_result(request_id, environment, init)
            else:
                request = self._request(request_id, payload, decoded_context, invoked_arn, identity)
                result = self._run(environment, request, init)
        finally:
            self._release()
        self._emit(environment.log_stream, result)
        return result

    def _initialise(self, environment: ExecutionEnvironment) -> ProcessOutcome:
        """Cold start: spawn the worker and run Init; a failed Init discards the environment."""
        try:
            init = environment.start()
        except BaseException:
            self._discard(environment)
            raise
        if self._closed:  # close() ran during the Init phase and could not see this worker
            self._discard(environment)
            raise EnvironmentClosed("the function runtime was closed during a cold start", where=self.spec.name)
        if init.kind != "result" or init.error_type:
            self._discard(environment)
        return init

    def _request(
        self, request_id: str, payload: bytes, client_context: dict | None, invoked_arn: str | None, identity: dict | None
    ) -> InvocationRequest:
        now = time.time()
        return InvocationRequest(
            request_id=request_id,
            payload=payload,
            deadline_epoch=now + self.spec.timeout,
            timeout_seconds=float(self.spec.timeout),
            invoked_arn=invoked_arn or self.spec.arn,
            trace=self._new_trace(),
            started_epoch=now,
            client_context=client_context,
            identity=identity,
        )

    def _run(
        self, environment: ExecutionEnvironment, request: InvocationRequest, init: ProcessOutcome | None
    ) -> InvocationResult:
        """Invoke a ready environment, then keep it warm or discard it (INV-2, INV-20)."""
        try:
            outcome = environment.invoke(request)
        except BaseException:  # a bug or an interrupt: never keep a worker in an unknown state
            self._discard(environment)
            raise
        if outcome.environment_lost:
            self._discard(environment)
        else:
            self._checkin(environment)
        return self._result(
            request.request_id,
            environment,
            outcome,
            request.started_epoch,
            init.log_entries if init else [],
            init.duration_ms if init else None,
            request.trace,
        )

    # ------------------------------------------------------------------ pool

    def _admit(self) -> None:
        with self._lock:
            if self._closed:
                raise EnvironmentClosed("the function runtime is closed", where=self.spec.name)
            if self.max_concurrency is not None and self._in_flight >= self.max_concurrency:
                self.throttles += 1
                raise Throttled(self.spec.name, RESERVED_LIMIT_REASON, self.max_concurrency)
            if not self._account.try_acquire():
                self.throttles += 1
                raise Throttled(self.spec.name, ACCOUNT_LIMIT_REASON, self._account.limit or 0)
            self._in_flight += 1
            self.invocations += 1

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1
        self._account.release()

    def _checkout(self) -> tuple[ExecutionEnvironment, bool]:
        with self._lock:
            while self._idle:
                environment = self._idle.pop()  # LIFO: the warmest environment first
                if environment.alive:
                    return environment, False
                self._environments.discard(environment)
                environment.kill()
            environment = ExecutionEnvironment(
                self.spec,
                self._launch,
                log_stream=log_stream_name(time.time(), secrets.token_hex(16)),
            )
            self._environments.add(environment)
            self.cold_starts += 1
            return environment, True

    def _checkin(self, environment: ExecutionEnvironment) -> None:
        environment.idle_since = time.monotonic()
        with self._lock:
            if not self._closed:
                self._idle.append(environment)
                return
        environment.kill()

    def shut_down_idle(self, idle_seconds: float) -> int:
        """Shut down environments idle for at least ``idle_seconds`` (INV-20: AWS reclaims
        idle environments eventually; reuse is never guaranteed). Returns how many."""
        cutoff = time.monotonic() - idle_seconds
        with self._lock:
            stale = [env for env in self._idle if env.idle_since <= cutoff]
            self._idle = [env for env in self._idle if env.idle_since > cutoff]
            self._environments.difference_update(stale)
        for environment in stale:
            environment.kill()
        return len(stale)

    def _discard(self, environment: ExecutionEnvironment) -> None:
        environment.kill()
        with self._lock:
            self._environments.discard(environment)

    # ------------------------------------------------------------------ results

    def _new_trace(self) -> TraceContext:
        return trace_context(
            time.time(), secrets.token_hex(12), secrets.token_hex(8), sampled=self.spec.tracing_active
        )

    def _result(
        self,
        request_id: str,
        environment: ExecutionEnvironment,
        outcome: ProcessOutcome,
        started_epoch: float,
        pre_entries: list[tuple[int, str]],
        init_duration_ms: float | None,
        trace: TraceContext,
    ) -> InvocationResult:
        payload, error_type, error_message, extra_lines = _classify(request_id, outcome, self.spec.timeout)
        now = time.time()
        entries = list(pre_entries)
        entries.append((int(started_epoch * 1000), report_lines.start_line(request_id)))
        entries.extend(outcome.log_entries)
        entries.extend((int(now * 1000), line) for line in extra_lines)
        entries.append((int(now * 1000), report_lines.end_line(request_id)))
        entries.append(
            (
                int(now * 1000),
                report_lines.report_line(
                    request_id,
                    duration_ms=outcome.duration_ms,
                    memory_size_mb=self.spec.memory_size,
                    max_memory_used_mb=outcome.peak_memory_mb,
                    init_duration_ms=init_duration_ms,
                    trace=trace,
                    segment_id=secrets.token_hex(8),
                ),
            )
        )
        return InvocationResult(
            request_id=request_id,
            payload=payload,
            function_error="Unhandled" if error_type else None,
            error_type=error_type,
            error_message=error_message,
            duration_ms=outcome.duration_ms,
            billed_duration_ms=report_lines.billed_duration_ms(outcome.duration_ms),
            max_memory_used_mb=outcome.peak_memory_mb,
            init_duration_ms=init_duration_ms,
            cold_start=init_duration_ms is not None,
            log_lines=tuple(line for _, line in entries),
            trace_id=trace.root if trace.sampled else None,
            log_stream=environment.log_stream,
            log_timestamps_ms=tuple(stamp for stamp, _ in entries),
        )

    def _init_failure_result(
        self, request_id: str, environment: ExecutionEnvironment, init: ProcessOutcome
    ) -> InvocationResult:
        """An Init phase that failed is reported on the invocation that triggered it, as AWS does;
        the next invocation cold-starts again."""
        payload = init.payload
        if init.kind == "result":
            error = json.loads(payload)
            if "requestId" in error:  # the Python runtime names the invocation; Node's does not
                error["requestId"] = request_id
            payload = json.dumps(error).encode()
        failed = ProcessOutcome(
            kind=init.kind,
            payload=payload,
            error_type=init.error_type,
            error_message=init.error_message,
            returncode=init.returncode,
        )
        return self._result(
            request_id, environment, failed, time.time(), init.log_entries, init.duration_ms, self._new_trace()
        )

    def _emit(self, log_stream: str, result: InvocationResult) -> None:
        if self._log_sink is None:
            return
        try:
            self._log_sink(self.spec.log_group, log_stream, list(zip(result.log_timestamps_ms, result.log_lines)))
        except Exception:  # a broken sink must not turn a finished invocation into a failure
            _logger.exception("log sink failed for %s", self.spec.name)

    # ------------------------------------------------------------------ shutdown

    def close(self) -> None:
        """Kill every worker (and its process group) and wait until none is left."""
        with self._lock:
            self._closed = True
            environments = list(self._environments)
            idle = list(self._idle)
            self._environments.clear()
            self._idle.clear()
        for environment in environments:
            if environment in idle:
                environment.kill()
            else:
                # Busy: its invoking thread owns the pipes; the kill makes that
                # invocation end with Runtime.ExitError, and that thread cleans up.
                environment.signal_kill()
        leftovers = _live_process_groups([env.pid for env in environments if env.pid is not None])
        if leftovers:
            _logger.warning("%s: processes escaped their worker's group: %s", self.spec.name, leftovers)
        _LIVE_RUNTIMES.discard(self)

    def __enter__(self) -> FunctionRuntime:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _classify(request_id: str, outcome: ProcessOutcome, timeout: int) -> tuple[bytes, str | None, str | None, list[str]]:
    """Payload, errorType, errorMessage and extra platform log lines for an outcome."""
    if outcome.kind == "result" and len(outcome.payload) > MAX_SYNC_RESPONSE_BYTES:
        message = (
            f"Response payload size ({len(outcome.payload)} bytes) exceeded maximum allowed payload size "
            f"({MAX_SYNC_RESPONSE_BYTES} bytes)."
        )
        payload = json.dumps({"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}).encode()
        return payload, "Function.ResponseSizeTooLarge", message, []
    if outcome.kind == "result":
        return outcome.payload, outcome.error_type, outcome.error_message, []
    if outcome.kind == "timeout":
        error_type = "Sandbox.Timedout"
        message = report_lines.timeout_message(request_id, timeout)
        extra = [report_lines.timeout_log_line(request_id, timeout, time.time())]
    else:
        error_type = "Runtime.OutOfMemory" if outcome.kind == "out_of_memory" else "Runtime.ExitError"
        returncode = -signal.SIGKILL if outcome.kind == "out_of_memory" else outcome.returncode
        message = report_lines.exit_message(request_id, report_lines.describe_exit(returncode))
        extra = [message]
    payload = json.dumps({"errorType": error_type, "errorMessage": message}).encode()
    return payload, error_type, message, extra


def _live_process_groups(pgids: list[int], wait_seconds: float = 2.0) -> list[int]:
    """Process groups among ``pgids`` that still have members after ``wait_seconds``."""
    deadline = time.monotonic() + wait_seconds
    remaining = list(pgids)
    while remaining:
        still = []
        for pgid in remaining:
            try:
                os.killpg(pgid, 0)
                still.append(pgid)
            except ProcessLookupError:
                pass
            except PermissionError:
                still.append(pgid)
        remaining = still
        if not remaining or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    return remaining


_LIVE_RUNTIMES: weakref.WeakSet[FunctionRuntime] = weakref.WeakSet()


@atexit.register
def _close_all_runtimes() -> None:
    """Safety net: no worker outlives the interpreter that started it."""
    for runtime in list(_LIVE_RUNTIMES):
        try:
            runtime.close()
        except Exception:
            _logger.exception("closing %s at exit failed", runtime.spec.name)

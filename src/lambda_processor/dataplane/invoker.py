"""The invoker: one entry point from every event source to the execution environments.

It owns the per-function runtimes (warm worker pools) and turns each invocation into the
metrics AWS would publish. Event sources never talk to workers directly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Protocol

from ..errors import LambdaProcessorError
from .metrics import LambdaMetrics


class FunctionNotRunnable(LambdaProcessorError):
    """The function is deployed but cannot run here (e.g. an image with no local code)."""


class UnknownFunction(LambdaProcessorError):
    """No deployed function has that name or ARN."""


class Runtime(Protocol):
    """What the invoker needs of ``execution.FunctionRuntime``."""

    def invoke(self, payload: bytes, *, request_id: str | None = None, client_context: str | None = None,
               invoked_arn: str | None = None): ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class InvokeOutcome:
    """Either a result (success or function error) or a throttle (INV-13)."""

    result: object | None
    throttled: bool = False
    throttle_reason: str | None = None

    @property
    def function_error(self) -> str | None:
        return getattr(self.result, "function_error", None)


class Invoker:
    """Thread-safe front door to every function's runtime."""

    def __init__(self, metrics: LambdaMetrics, *, clock: Callable[[], float], throttled_type: type[Exception]):
        self._metrics = metrics
        self._clock = clock
        self._throttled_type = throttled_type
        self._runtimes: dict[str, Runtime] = {}
        self._not_runnable: dict[str, str] = {}
        self._lock = threading.Lock()

    def register(self, function_name: str, runtime: Runtime) -> None:
        with self._lock:
            self._runtimes[function_name] = runtime
        self._metrics.ensure_function(function_name)

    def register_not_runnable(self, function_name: str, reason: str) -> None:
        with self._lock:
            self._not_runnable[function_name] = reason
        self._metrics.ensure_function(function_name)

    def function_names(self) -> list[str]:
        with self._lock:
            return sorted({*self._runtimes, *self._not_runnable})

    def runtime(self, function_name: str) -> Runtime:
        with self._lock:
            runtime = self._runtimes.get(function_name)
            reason = self._not_runnable.get(function_name)
        if runtime is not None:
            return runtime
        if reason is not None:
            raise FunctionNotRunnable(reason, where=f"function {function_name}")
        raise UnknownFunction("no such function is deployed", where=f"function {function_name}",
                              hint="`lambda-processor status` lists the deployed functions")

    def invoke(self, function_name: str, payload: bytes, *, client_context: str | None = None,
               invoked_arn: str | None = None, request_id: str | None = None) -> InvokeOutcome:
        """Run one invocation synchronously and record its metrics."""
        runtime = self.runtime(function_name)
        started_at = self._clock()
        self._metrics.invocation_started(function_name)
        try:
            result = runtime.invoke(payload, request_id=request_id, client_context=client_context,
                                    invoked_arn=invoked_arn)
        except self._throttled_type as throttle:
            self._metrics.invocation_aborted(function_name)
            self._metrics.throttled(function_name)
            return InvokeOutcome(result=None, throttled=True, throttle_reason=str(throttle))
        except BaseException:
            self._metrics.invocation_aborted(function_name)
            raise
        self._metrics.invocation_finished(
            function_name,
            started_at=started_at,
            duration_ms=result.duration_ms,
            error=result.function_error is not None,
            cold_start=result.cold_start,
        )
        return InvokeOutcome(result=result)

    def close(self) -> None:
        with self._lock:
            runtimes, self._runtimes = list(self._runtimes.values()), {}
        for runtime in runtimes:
            runtime.close()

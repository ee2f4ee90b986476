"""``lambda-processor up``: one configuration, live on the embedded AWS.

    LocalSandbox.start()
      1. start moto in-process on 127.0.0.1 and install the runtime's hooks
      2. terraform apply the configuration against it
      3. read Terraform state into a Deployment
      4. build one FunctionRuntime per function (code, layers, role credentials)
      5. start the event sources: SQS pollers, SNS/EventBridge delivery, schedules, alarms
    LocalSandbox.stop() tears it all down; no worker process outlives it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .client import STATE_DIR, state_file, write_state_file
from .clock import Clock, SystemClock
from .control_api import ControlApi
from .dataplane.invoker import FunctionNotRunnable, Invoker, UnknownFunction
from .dataplane.log_writer import LogWriter
from .dataplane.metrics import LambdaMetrics
from .dataplane.sqs_poller import MappingSettings, SqsPoller
from .errors import LambdaProcessorError

log = logging.getLogger(__name__)

FLUSH_INTERVAL_SECONDS = 1.0


@dataclass
class SandboxOptions:
    """Everything ``up`` can be told."""

    config_dir: Path
    port: int = 0
    region: str = "us-east-1"
    variables: dict[str, str] = field(default_factory=dict)
    image_code_dirs: dict[str, Path] = field(default_factory=dict)
    local_concurrency_cap: int = 8
    enforce_iam: bool = True
    progress: Callable[[str], None] = lambda message: None


class LocalSandbox:
    """The embedded AWS plus the data plane for one applied configuration."""

    def __init__(self, options: SandboxOptions, *, clock: Clock | None = None):
        self.options = options
        self.clock = clock or SystemClock()
        self.aws = None
        self.applied = None
        self.deployment = None
        self.metrics = LambdaMetrics(clock=self.clock.now)
        self.logs: LogWriter | None = None
        self.invoker: Invoker | None = None
        self.pollers: list[SqsPoller] = []
        self.not_runnable: dict[str, str] = {}
        self.notes: list[str] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._services: list = []  # objects with start()/stop(): push delivery, scheduler, alarms

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "LocalSandbox":
        from .execution import Throttled
        from .sandbox import EmbeddedAws

        progress = self.options.progress
        progress("starting the embedded AWS")
        self.aws = EmbeddedAws.start(port=self.options.port, region=self.options.region)
        self.logs = LogWriter(self.aws.put_log_events)
        self.metrics = LambdaMetrics(self.aws.put_metric_data, clock=self.clock.now)
        self.invoker = Invoker(self.metrics, clock=self.clock.now, throttled_type=Throttled)
        self.aws.wrap_wsgi(lambda app: ControlApi(app, status=self.status, outputs=self.outputs, shutdown=self.request_stop))
        try:
            self._apply()
            self._build_functions()
            self._start_sources()
        except BaseException:
            self.stop()
            raise
        write_state_file(self.options.config_dir, {
            "endpoint": self.aws.endpoint_url,
            "region": self.options.region,
            "pid": os.getpid(),
            "config_dir": str(self.options.config_dir.resolve()),
            "started_at": time.time(),
        })
        return self

    def _apply(self) -> None:
        from .deployment import Deployment
        from .terraform.runner import SandboxApply

        self.applied = SandboxApply(
            self.options.config_dir,
            self.aws.endpoint_url,
            region=self.options.region,
            variables=self.options.variables,
            progress=self.options.progress,
        ).apply()
        self.deployment = Deployment.from_state(self.applied.state)

    def _build_functions(self) -> None:
        from .code_store import materialize_code
        from .execution import ConcurrencyLimiter, FunctionRuntime, FunctionSpec

        limiter = ConcurrencyLimiter()
        cache = self.options.config_dir / STATE_DIR / "code"
        for fn in self.deployment.functions:
            code = materialize_code(
                fn,
                config_dir=self.options.config_dir,
                cache_dir=cache,
                s3_reader=self.aws.read_s3_object,
                image_code_dirs=self.options.image_code_dirs,
                layer_resolver=self.aws.layer_code_dir,
            )
            if not code.runnable:
                self.not_runnable[fn.name] = code.reason
                self.invoker.register_not_runnable(fn.name, code.reason)
                self.options.progress(f"function {fn.name}: not runnable locally: {code.reason}")
                continue
            if fn.vpc is not None and fn.vpc.subnet_ids:
                self.notes.append(f"{fn.name}: vpc_config accepted; networking is not emulated locally")
            credentials = None
            if self.options.enforce_iam and fn.role_arn:
                credentials = self.aws.mint_role_credentials(fn.role_arn, session_name=fn.name)
            spec = FunctionSpec(
                name=fn.name,
                arn=fn.arn,
                runtime=fn.runtime or "python3.11",
                handler=fn.handler or "app.handler",
                code_dir=code.code_dir,
                layer_dirs=tuple(code.layer_dirs),
                memory_size=fn.memory_size,
                timeout=fn.timeout,
                environment=dict(fn.environment),
                region=self.options.region,
                account_id=self.aws.account_id,
                architectures=tuple(fn.architectures) or ("x86_64",),
                tracing_mode=fn.tracing_mode,
                endpoint_url=self.aws.endpoint_url,
                credentials=credentials,
            )
            try:
                runtime = FunctionRuntime(
                    spec,
                    max_concurrency=fn.reserved_concurrent_executions,
                    log_sink=self.logs,
                    account_limiter=limiter,
                )
            except LambdaProcessorError as error:
                self.not_runnable[fn.name] = str(error)
                self.invoker.register_not_runnable(fn.name, str(error))
                continue
            self.invoker.register(fn.name, runtime)
        if self.options.enforce_iam:
            self.aws.enable_iam_enforcement()

    def _start_sources(self) -> None:
        for mapping in self.deployment.event_source_mappings:
            queue = self.deployment.queue_by_arn(mapping.event_source_arn)
            if queue is None:
                self.notes.append(f"mapping {mapping.uuid}: source {mapping.event_source_arn} is not an SQS queue here")
                continue
            fn = self.deployment.function_by_arn(mapping.function_arn) or self.deployment.function_by_name(mapping.function_name)
            settings = MappingSettings(
                uuid=mapping.uuid,
                function_name=fn.name,
                queue_arn=queue.arn,
                region=self.options.region,
                batch_size=mapping.batch_size,
                window_seconds=mapping.maximum_batching_window_in_seconds,
                enabled=mapping.enabled,
                report_batch_item_failures="ReportBatchItemFailures" in mapping.function_response_types,
                maximum_concurrency=mapping.maximum_concurrency,
                filter_patterns=tuple(mapping.filter_patterns),
                fifo=queue.fifo,
                visibility_timeout=queue.visibility_timeout,
            )
            poller = SqsPoller(
                settings,
                port=self.aws.queue_port(),
                invoke=lambda payload, name=fn.name: self.invoker.invoke(name, payload),
                clock=self.clock,
                local_concurrency_cap=self.options.local_concurrency_cap,
            )
            if fn.name in self.not_runnable:
                self.notes.append(f"mapping {mapping.uuid}: not polling, {fn.name} is not runnable")
                continue
            self.pollers.append(poller)
            poller.start()
        for service in self._services:
            service.start()
        flusher = threading.Thread(target=self._flush_loop, name="telemetry-flush", daemon=True)
        self._threads.append(flusher)
        flusher.start()

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_INTERVAL_SECONDS):
            self.flush()

    def flush(self) -> None:
        """Write pending logs and metrics to the sandbox now."""
        try:
            self.metrics.flush()
            if self.logs is not None:
                self.logs.flush()
        except Exception:  # telemetry must never stop the data plane
            log.exception("flushing logs/metrics failed")

    def request_stop(self) -> None:
        self._stop.set()

    def wait(self) -> None:
        """Block until Ctrl-C or a ``down`` request."""
        try:
            while not self._stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass

    def stop(self) -> None:
        """Stop every source, close every worker, stop moto, remove the state file."""
        self._stop.set()
        for poller in self.pollers:
            poller.stop()
        for service in reversed(self._services):
            try:
                service.stop()
            except Exception:
                log.exception("stopping %s failed", service)
        self.flush()
        if self.invoker is not None:
            self.invoker.close()
        for thread in self._threads:
            thread.join(5)
        if self.aws is not None:
            self.aws.stop()
        path = state_file(self.options.config_dir)
        if path.exists():
            path.unlink()

    def __enter__(self) -> "LocalSandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what the control API and the CLI show ----------------------------------------------------

    def outputs(self) -> dict:
        return dict(self.applied.outputs) if self.applied is not None else {}

    def status(self) -> dict:
        totals = self.metrics.totals()
        functions = []
        for fn in self.deployment.functions if self.deployment else []:
            t = totals.get(fn.name)
            mappings = [p for p in self.pollers if p.settings.function_name == fn.name]
            queue_depths = {p.settings.queue_arn: self.aws.queue_counts(p.settings.queue_arn) for p in mappings}
            dlqs = {}
            for arn in queue_depths:
                queue = self.deployment.queue_by_arn(arn)
                if queue is not None and queue.redrive is not None:
                    dlqs[queue.redrive.dlq_arn] = self.aws.queue_counts(queue.redrive.dlq_arn)
            functions.append({
                "name": fn.name,
                "runtime": fn.runtime or fn.package_type,
                "runnable": fn.name not in self.not_runnable,
                "reason": self.not_runnable.get(fn.name),
                "invocations": t.invocations if t else 0,
                "errors": t.errors if t else 0,
                "throttles": t.throttles if t else 0,
                "in_flight": t.in_flight if t else 0,
                "cold_starts": t.cold_starts if t else 0,
                "source_queues": queue_depths,
                "dlqs": dlqs,
            })
        return {
            "endpoint": self.aws.endpoint_url if self.aws else None,
            "region": self.options.region,
            "config_dir": str(self.options.config_dir),
            "functions": functions,
            "mappings": [
                {"uuid": p.settings.uuid, "function": p.settings.function_name, "queue": p.settings.queue_arn,
                 "batch_size": p.settings.batch_size, "window": p.settings.window_seconds,
                 "enabled": p.settings.enabled, **{k: v for k, v in vars(p.stats).items() if k != "batch_sizes"}}
                for p in self.pollers
            ],
            "notes": list(self.notes),
        }

    # -- hooks called by the embedded AWS ---------------------------------------------------------

    def api_invoke(self, *, function_name: str, function_arn: str, payload: bytes, invocation_type: str,
                   qualifier: str | None, client_context: str | None):
        """Lambda ``Invoke`` through the API: run synchronously, or queue (Event), or check (DryRun)."""
        from .sandbox.moto_adapter.hooks import InvokeRejected

        name = function_name.rsplit(":function:", 1)[-1].split(":")[0]
        try:
            runtime_ok = self.invoker.runtime(name)
        except UnknownFunction as error:
            raise InvokeRejected(404, "ResourceNotFoundException", str(error)) from error
        except FunctionNotRunnable as error:
            raise InvokeRejected(502, "ResourceNotReadyException", str(error)) from error
        del runtime_ok
        if invocation_type == "DryRun":
            return (204, b"", None, None)
        if invocation_type == "Event":
            self.async_submit(name, payload)
            return (202, b"", None, None)
        outcome = self.invoker.invoke(name, payload, client_context=client_context, invoked_arn=function_arn)
        if outcome.throttled:
            raise InvokeRejected(429, "TooManyRequestsException", f"Rate Exceeded. ({outcome.throttle_reason})")
        result = outcome.result
        tail = "\n".join(result.log_lines).encode()[-4096:]
        return (200, result.payload, result.function_error, base64.b64encode(tail).decode())

    def async_submit(self, function_name: str, payload: bytes) -> str:
        """Queue an asynchronous invocation (replaced by the async queue service)."""
        raise LambdaProcessorError("asynchronous invocation is not available", where=function_name)

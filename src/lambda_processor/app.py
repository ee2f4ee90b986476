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
from .dashboard import fetchers_from_sandbox as dashboard_fetchers
from .dataplane.invoker import FunctionNotRunnable, Invoker, UnknownFunction
from .dataplane.log_writer import LogWriter
from .dataplane.metrics import LambdaMetrics
from .dataplane.async_queue import AsyncInvocationQueue
from .dataplane.sqs_poller import MappingSettings, SqsPoller
from .errors import LambdaProcessorError
from .patterns import pattern_matches
from .sqs_semantics import validate_mapping
from .sandbox.moto_adapter.hooks import SandboxHooks

log = logging.getLogger(__name__)

FLUSH_INTERVAL_SECONDS = 1.0
ALARM_INTERVAL_SECONDS = 10.0
NODE_RUNTIME_MODULES = Path(__file__).resolve().parents[2] / "runtime" / "nodejs" / "node_modules"


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
        self._services: list = []  # objects with start()/stop(): async queue, schedules, alarms
        self._deleted_seen: dict[str, int] = {}
        self._started_at = self.clock.now()
        self.ports = None
        self.async_queue = None
        self.push = None
        self.schedules = None
        self.alarm_runner = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "LocalSandbox":
        from .execution import Throttled
        from .sandbox import EmbeddedAws
        from .sandbox.runtime_ports import SandboxPorts

        progress = self.options.progress
        self._started_at = self.clock.now()
        progress("starting the embedded AWS on 127.0.0.1")
        self.aws = EmbeddedAws.start(port=self.options.port, region=self.options.region)
        self.ports = SandboxPorts(account_id=self.aws.account_id, region=self.options.region,
                                  cache_dir=self.options.config_dir / STATE_DIR / "cache")
        self.logs = LogWriter(self.ports.put_log_events)
        self.metrics = LambdaMetrics(self.ports.put_metric_data, clock=self.clock.now)
        self.invoker = Invoker(self.metrics, clock=self.clock.now, throttled_type=Throttled)
        self.async_queue = AsyncInvocationQueue(
            self._async_invoke, clock=self.clock, target_for=self._async_target, send=self.ports.send_to_target,
        )
        self.ports.invoke_lambda = lambda name, payload: self.async_submit(name, payload)
        self.aws.set_hooks(SandboxHooks(invoke=self.api_invoke, event_pattern_matches=pattern_matches))
        self.aws.wrap_wsgi_app(lambda app: ControlApi(app, status=self.status, outputs=self.outputs,
                                                      shutdown=self.request_stop, metric_series=self.metric_series))
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
        self.deployment = Deployment.from_state(self.applied.state, config_dir=self.options.config_dir)

    def _build_functions(self) -> None:
        from .code_store import materialize_code
        from .execution import ConcurrencyLimiter, FunctionRuntime, FunctionSpec

        limiter = ConcurrencyLimiter()
        cache = self.options.config_dir / STATE_DIR / "cache" / "code"
        node_modules = NODE_RUNTIME_MODULES if NODE_RUNTIME_MODULES.is_dir() else None
        for fn in self.deployment.functions:
            code = materialize_code(
                fn,
                config_dir=self.options.config_dir,
                cache_dir=cache,
                s3_reader=self.ports.read_s3_object,
                image_code_dirs=self.options.image_code_dirs,
                layer_resolver=self.ports.layer_code_dir,
            )
            if not code.runnable:
                self._not_runnable(fn.name, code.reason)
                continue
            if fn.vpc is not None and fn.vpc.subnet_ids:
                self.notes.append(f"{fn.name}: vpc_config accepted; networking is not emulated locally")
            credentials = None
            if self.options.enforce_iam and fn.role_arn:
                credentials = self.ports.mint_role_credentials(fn.role_arn, session_name=fn.name)
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
                runtime = FunctionRuntime(spec, max_concurrency=fn.reserved_concurrent_executions,
                                          log_sink=self.logs, account_limiter=limiter, extra_node_path=node_modules)
            except LambdaProcessorError as error:
                self._not_runnable(fn.name, str(error))
                continue
            self.invoker.register(fn.name, runtime)
        if self.options.enforce_iam:
            self.ports.enable_iam_enforcement()

    def _not_runnable(self, name: str, reason: str) -> None:
        self.not_runnable[name] = reason
        self.invoker.register_not_runnable(name, reason)
        self.options.progress(f"function {name} is not runnable locally: {reason}")

    def _start_sources(self) -> None:
        from .dataplane.alarm_runner import AlarmRunner
        from .dataplane.push_delivery import Permission, PushDelivery, ScheduledRule, ScheduleRunner

        deployment = self.deployment
        for mapping in deployment.event_source_mappings:
            if mapping.source_service != "sqs":
                self.notes.append(f"mapping {mapping.uuid}: {mapping.source_service} sources are not polled locally")
                continue
            queue = deployment.queue_by_arn(mapping.event_source_arn)
            fn = deployment.function_by_arn(mapping.function_arn)
            if fn.name in self.not_runnable:
                self.notes.append(f"mapping {mapping.uuid}: not polling, {fn.name} is not runnable")
                continue
            for problem in validate_mapping(
                mapping.batch_size, mapping.maximum_batching_window_in_seconds, queue.fifo,
                mapping.maximum_concurrency, fn.timeout, queue.visibility_timeout,
                max_receive_count=queue.redrive.max_receive_count if queue.redrive else None,
                reserved_concurrency=fn.reserved_concurrent_executions,
                filter_count=len(mapping.filter_patterns),
                function_response_types=mapping.function_response_types,
                queue_arn=queue.arn, function_arn=fn.arn,
            ):
                self.notes.append(f"mapping {queue.name} -> {fn.name}: {problem}")
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
                port=self.ports.queue_port(),
                invoke=lambda payload, name=fn.name: self.invoker.invoke(name, payload),
                clock=self.clock,
                local_concurrency_cap=self.options.local_concurrency_cap,
            )
            self.pollers.append(poller)

        self.push = PushDelivery(
            submit=self.async_submit,
            function_name_for_arn=self._function_name_for_arn,
            permissions=lambda: [Permission(fn.name, principal, source) for fn in deployment.functions
                                 for principal, source in self.ports.invoke_permissions(fn.name)],
            send_to_dlq=self.ports.send_to_target,
            clock=self.clock,
            region=self.options.region,
            account_id=self.aws.account_id,
        )
        self.aws.set_hooks(SandboxHooks(
            invoke=self.api_invoke,
            sns_publish=self.push.on_sns_publish,
            eventbridge_target=self.push.on_eventbridge_target,
            event_pattern_matches=pattern_matches,
        ))
        now = self.clock.now()
        scheduled = []
        for rule in deployment.event_rules:
            if rule.schedule_expression and (rule.state or "ENABLED") == "ENABLED":
                targets = [{"Arn": t.arn, "Id": t.target_id, "Input": t.input, "InputPath": t.input_path,
                            "DeadLetterConfig": {"Arn": t.dead_letter_arn} if t.dead_letter_arn else None}
                           for t in deployment.targets_for_rule(rule.name, rule.event_bus_name)]
                scheduled.append(ScheduledRule(rule.arn, rule.schedule_expression, tuple(targets), created_at=now))
        self.schedules = ScheduleRunner(scheduled, self.push.fire_schedule, clock=self.clock)
        self.alarm_runner = AlarmRunner(self.ports, self.clock, account_id=self.aws.account_id,
                                        region=self.options.region, interval_seconds=ALARM_INTERVAL_SECONDS)
        self._services = [self.async_queue, self.schedules, self.alarm_runner]
        for poller in self.pollers:
            poller.start()
        for service in self._services:
            service.start()
        flusher = threading.Thread(target=self._flush_loop, name="telemetry-flush", daemon=True)
        self._threads.append(flusher)
        flusher.start()

    def _function_name_for_arn(self, arn: str) -> str | None:
        try:
            return self.deployment.function_by_name(arn).name
        except LambdaProcessorError:
            return None

    def _async_target(self, function_name: str):
        from .async_semantics import AsyncConfig
        from .dataplane.async_queue import AsyncTarget

        fn = self.deployment.function_by_name(function_name)
        # ASY-4: a config put through the API after the apply applies at once, so the live one
        # wins over the one in Terraform state.
        live = self.ports.event_invoke_config(fn.name) if self.ports is not None else None
        if live is not None:
            destinations = live.get("DestinationConfig") or {}
            retries = live.get("MaximumRetryAttempts")
            max_age = live.get("MaximumEventAgeInSeconds")
            on_success = (destinations.get("OnSuccess") or {}).get("Destination") or None
            on_failure = (destinations.get("OnFailure") or {}).get("Destination") or None
        else:
            config = self.deployment.invoke_config_for_function(fn.name)
            retries = config.maximum_retry_attempts if config else None
            max_age = config.maximum_event_age_in_seconds if config else None
            on_success = config.on_success_destination if config else None
            on_failure = config.on_failure_destination if config else None
        return AsyncTarget(
            function_name=fn.name,
            function_arn=fn.arn,
            config=AsyncConfig(maximum_retry_attempts=2 if retries is None else retries,
                               maximum_event_age_seconds=max_age or 21_600),
            reserved_concurrency=fn.reserved_concurrent_executions,
            dead_letter_arn=fn.dead_letter_target_arn,
            on_success_arn=on_success,
            on_failure_arn=on_failure,
        )

    def _async_invoke(self, function_name: str, payload: bytes, request_id: str):
        return self.invoker.invoke(function_name, payload, request_id=request_id)

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_INTERVAL_SECONDS):
            self.flush()

    def flush(self) -> None:
        """Write pending logs and metrics to the sandbox now."""
        try:
            self._publish_queue_metrics()
            self.metrics.flush()
            if self.logs is not None:
                self.logs.flush()
        except Exception:  # telemetry must never stop the data plane
            log.exception("flushing logs/metrics failed")

    def _publish_queue_metrics(self) -> None:
        """MET-10: the source queues' depth gauges, once per flush."""
        if self.deployment is None or self.ports is None:
            return
        from datetime import datetime, timezone

        stamp = datetime.fromtimestamp(self.clock.now(), tz=timezone.utc)
        data = []
        for poller in self.pollers:
            name = poller.settings.queue_arn.rsplit(":", 1)[-1]
            counts = self.ports.queue_counts(poller.settings.queue_arn)
            for metric, key in (("ApproximateNumberOfMessagesVisible", "visible"),
                                ("ApproximateNumberOfMessagesNotVisible", "in_flight"),
                                ("ApproximateNumberOfMessagesDelayed", "delayed")):
                data.append({"MetricName": metric, "Dimensions": [{"Name": "QueueName", "Value": name}],
                             "Timestamp": stamp, "Unit": "Count", "Value": float(counts.get(key, 0))})
            deleted = poller.stats.deleted
            delta = deleted - self._deleted_seen.get(poller.settings.uuid, 0)
            self._deleted_seen[poller.settings.uuid] = deleted
            if delta:
                data.append({"MetricName": "NumberOfMessagesDeleted", "Dimensions": [{"Name": "QueueName", "Value": name}],
                             "Timestamp": stamp, "Unit": "Count", "Value": float(delta)})
        if data:
            self.ports.put_metric_data("AWS/SQS", data)

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
            queue_depths = {p.settings.queue_arn: self.ports.queue_counts(p.settings.queue_arn) for p in mappings}
            dlqs = {}
            for arn in queue_depths:
                queue = self.deployment.queue_by_arn(arn)
                if queue.redrive is not None:
                    dlqs[queue.redrive.dlq_arn] = self.ports.queue_counts(queue.redrive.dlq_arn)
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

    def metric_series(self, *, namespace: str, metric_name: str, dimensions: dict, stat: str, period: int,
                      start: float, end: float) -> list[tuple[float, float]]:
        """The sandbox's metric as one value per epoch-aligned period (what dashboards plot)."""
        from .metric_series import period_values

        samples = self.ports.metric_samples(namespace, metric_name, dimensions)
        values, _ = period_values(samples, stat, period, start, end)
        return sorted((float(t), v) for t, v in values.items())

    def render_dashboard(self, out: Path, name: str | None = None, minutes: int = 30) -> Path | None:
        """Render a deployed dashboard (the first one by default) to ``out``; None if there is none."""
        from .client import SandboxClient
        from .dashboard import render

        self.flush()
        dashboards = {d.name: d for d in self.deployment.dashboards}
        if not dashboards:
            return None
        chosen = dashboards[name] if name else next(iter(dashboards.values()))
        client = SandboxClient(self.aws.endpoint_url, self.options.region)
        _, fetch_logs = dashboard_fetchers(client)
        end = self.clock.now() + 60
        start = max(end - minutes * 60, self._started_at - 120)  # no empty hours before the sandbox existed
        return render(chosen.body, out, title=chosen.name, start=start, end=end,
                      fetch_logs=fetch_logs,
                      fetch_metric=lambda ns, m, d, st, p, a, b: self.metric_series(
                          namespace=ns, metric_name=m, dimensions=d, stat=st, period=p, start=a, end=b))

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
        """Queue an asynchronous invocation (SNS, EventBridge, schedules, ``Invoke`` Event)."""
        return self.async_queue.submit(function_name, payload)

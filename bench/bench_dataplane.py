"""Benchmark: the SQS data plane end to end with a no-op Python handler (issues 3 and 5).

Each case starts its own embedded AWS (``EmbeddedAws.start()``, moto in process), creates a
queue over HTTP with boto3, queues DEPTH messages before the clock starts, then drains them:

  dataplane   the real data plane as ``lambda-processor up`` wires it: an ``SqsPoller``
              (batch size 10, maximum concurrency 5) over the runtime's in-process queue
              port, an ``Invoker`` with ``LambdaMetrics``, a ``FunctionRuntime`` of warm
              Python workers running a no-op handler, and logs/metrics flushed to the
              sandbox every second. 5 workers are warmed up before the clock starts.
  raw-port    5 threads looping receive(10) -> delete those, through the same in-process
              queue port the poller uses (no handler): the fast path's ceiling.
  raw-http    5 threads looping receive(10) -> DeleteMessageBatch with boto3 over HTTP
              against the same sandbox: what any SDK client of the sandbox gets.

Queues: ``store`` is the sandbox's default constant-cost SQS store; ``moto`` is moto 5.2.5's
unmodified queue (``EmbeddedAws.start(sqs_store=False)``), drained through moto's backend
API (``bench/moto_queue_port.py``) and cut off after ``--cutoff`` seconds (60). Store cases
give up after ``--store-cutoff`` seconds (300); the in-process ones run ``--repeat`` times (3)
and report the median run.

Per case: messages processed, msg/s, wall and CPU ms per message (CPU of the sandbox process
plus its worker processes), the sandbox's RSS with DEPTH queued and the workers' RSS. Every
case runs in its own subprocess (moto's state is process-global). Usage::

    .venv/bin/python bench/bench_dataplane.py            # full table, about 5 minutes
    .venv/bin/python bench/bench_dataplane.py --quick    # 1,000 and 10,000 only, about 1 minute
    .venv/bin/python bench/bench_dataplane.py --case dataplane/store:10000   # one case, JSON
    .venv/bin/python bench/bench_dataplane.py --cases dataplane/store:100000 --untracked-messages
    .venv/bin/python bench/bench_dataplane.py --cases raw-port/store:100000 --breakdown
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

REGION = "us-east-1"
QUEUE_NAME = "bench-dataplane"
FUNCTION_NAME = "bench-noop"
BATCH_SIZE = 10
CONCURRENCY = 5
VISIBILITY_TIMEOUT = 30

HANDLER_SOURCE = '''
import time


def handler(event, context):
    """No-op; {"hold": seconds} keeps the worker busy so warm-up creates 5 environments."""
    hold = event.get("hold") if isinstance(event, dict) else None
    if hold:
        time.sleep(hold)
    return None
'''

FULL_CASES = [
    "dataplane/store:1000",
    "dataplane/store:10000",
    "dataplane/store:100000",
    "raw-port/store:1000",
    "raw-port/store:10000",
    "raw-port/store:100000",
    "raw-http/store:1000",
    "raw-http/store:10000",
    "raw-http/store:100000",
    "dataplane/moto:1000",
    "dataplane/moto:10000",
]
QUICK_CASES = [
    "dataplane/store:1000",
    "dataplane/store:10000",
    "raw-port/store:10000",
    "raw-http/store:10000",
    "dataplane/moto:1000",
]


# ------------------------------------------------------------------------------ one case


def run_case(case: str, cutoff_s: float) -> dict[str, Any]:
    """Run one case in this process (it starts and stops its own embedded AWS)."""
    import boto3
    import psutil
    from moto.sqs import models as sqs_models

    from lambda_processor.sandbox import EmbeddedAws

    kind_queue, depth_text = case.split(":")
    kind, queue_kind = kind_queue.split("/")
    depth = int(depth_text)
    me = psutil.Process()
    aws = EmbeddedAws.start(sqs_store=queue_kind == "store", region=REGION)
    try:
        client = boto3.client(
            "sqs", endpoint_url=aws.endpoint_url, region_name=REGION,
            aws_access_key_id="test", aws_secret_access_key="test",
        )
        queue_url = client.create_queue(
            QueueName=QUEUE_NAME, Attributes={"VisibilityTimeout": str(VISIBILITY_TIMEOUT)}
        )["QueueUrl"]
        queue_arn = f"arn:aws:sqs:{REGION}:{aws.account_id}:{QUEUE_NAME}"
        backend = sqs_models.sqs_backends[aws.account_id][REGION]
        rss_empty = me.memory_info().rss
        fill_s = _fill(backend, depth)
        rss_queued = me.memory_info().rss

        runner = _RUNNERS[kind]
        result = runner(
            aws=aws, backend=backend, queue_kind=queue_kind, queue_arn=queue_arn, queue_url=queue_url,
            depth=depth, cutoff_s=cutoff_s,
        )
    finally:
        aws.stop()
    result.update({
        "case": case, "kind": kind, "queue": queue_kind, "depth": depth, "fill_s": round(fill_s, 2),
        "complete": result["processed"] >= depth,
        "msg_per_s": round(result["processed"] / result["seconds"], 1) if result["seconds"] else None,
        "wall_ms_per_msg": round(1000 * result["seconds"] / result["processed"], 4) if result["processed"] else None,
        "cpu_ms_per_msg": round(1000 * result["cpu_s"] / result["processed"], 4) if result["processed"] else None,
        "rss_mb_sandbox_queued": round(rss_queued / 2**20, 1),
        "rss_mb_of_queue": round((rss_queued - rss_empty) / 2**20, 1),
        "load_1m": round(os.getloadavg()[0], 2),
    })
    return result


def _fill(backend: Any, depth: int) -> float:
    """Queue ``depth`` messages in process (what SendMessage stores), before the clock starts.

    Built like ``SQSBackend.send_message`` but without its per-send attribute read, which
    makes filling moto's own queue quadratic; both queues get identical messages.
    """
    from moto.moto_api._internal import mock_random
    from moto.sqs import models as sqs_models

    from lambda_processor.sandbox import backend_lock

    queue = backend.queues[QUEUE_NAME]
    started = time.perf_counter()
    with backend_lock:
        for index in range(depth):
            message = sqs_models.Message(str(mock_random.uuid4()), json.dumps({"order": index, "pad": "x" * 64}))
            message.mark_sent()
            queue.add_message(message)
    return time.perf_counter() - started


def _queue_port(backend: Any, queue_kind: str) -> Any:
    from lambda_processor.sandbox.runtime_ports import StoreQueuePort

    if queue_kind == "store":
        return StoreQueuePort()
    from moto_queue_port import MotoQueuePort

    return MotoQueuePort(backend, VISIBILITY_TIMEOUT)


def _run_dataplane(*, aws: Any, backend: Any, queue_kind: str, queue_arn: str, depth: int, cutoff_s: float,
                   **_: Any) -> dict[str, Any]:
    """The poller, invoker and warm workers, wired as ``LocalSandbox`` wires them."""
    import psutil

    from lambda_processor.clock import SystemClock
    from lambda_processor.dataplane.invoker import Invoker
    from lambda_processor.dataplane.log_writer import LogWriter
    from lambda_processor.dataplane.metrics import LambdaMetrics
    from lambda_processor.dataplane.sqs_poller import MappingSettings, SqsPoller
    from lambda_processor.execution import ConcurrencyLimiter, FunctionRuntime, FunctionSpec, Throttled
    from lambda_processor.sandbox.runtime_ports import SandboxPorts

    with tempfile.TemporaryDirectory(prefix="bench-dataplane-") as tmp:
        code_dir = Path(tmp) / "code"
        code_dir.mkdir()
        (code_dir / "app.py").write_text(HANDLER_SOURCE)
        ports = SandboxPorts(account_id=aws.account_id, region=REGION, cache_dir=Path(tmp) / "cache")
        logs = LogWriter(ports.put_log_events)
        metrics = LambdaMetrics(ports.put_metric_data, clock=time.time)
        invoker = Invoker(metrics, clock=time.time, throttled_type=Throttled)
        spec = FunctionSpec(
            name=FUNCTION_NAME, arn=f"arn:aws:lambda:{REGION}:{aws.account_id}:function:{FUNCTION_NAME}",
            runtime="python3.11", handler="app.handler", code_dir=code_dir, layer_dirs=(), memory_size=128,
            timeout=30, environment={}, region=REGION, account_id=aws.account_id, endpoint_url=aws.endpoint_url,
        )
        runtime = FunctionRuntime(spec, log_sink=logs, account_limiter=ConcurrencyLimiter())
        invoker.register(FUNCTION_NAME, runtime)
        stop_flushing = threading.Event()
        flusher = threading.Thread(target=_flush_loop, args=(stop_flushing, metrics, logs), daemon=True)
        flusher.start()
        try:
            _warm_up(runtime, CONCURRENCY)
            workers = [psutil.Process(pid) for pid in runtime.worker_pids]
            rss_workers = sum(w.memory_info().rss for w in workers)
            settings = MappingSettings(
                uuid="bench-mapping-0000", function_name=FUNCTION_NAME, queue_arn=queue_arn, region=REGION,
                batch_size=BATCH_SIZE, maximum_concurrency=CONCURRENCY, visibility_timeout=VISIBILITY_TIMEOUT,
            )
            poller = SqsPoller(
                settings, port=_queue_port(backend, queue_kind),
                invoke=lambda payload: invoker.invoke(FUNCTION_NAME, payload), clock=SystemClock(),
            )
            measured = _measure(lambda: poller.stats.deleted, depth, cutoff_s, workers, start=poller.start)
            poller.stop()
            stats = poller.stats
            measured.update({
                "batches": stats.batches,
                "mean_batch": round(sum(stats.batch_sizes) / len(stats.batch_sizes), 2) if stats.batch_sizes else 0,
                "environments": runtime.environments,
                "cold_starts_during_run": runtime.cold_starts - CONCURRENCY,
                "rss_mb_workers": round(rss_workers / 2**20, 1),
                "rss_mb_workers_after": round(sum(w.memory_info().rss for w in workers if w.is_running()) / 2**20, 1),
            })
        finally:
            stop_flushing.set()
            flusher.join(5)
            invoker.close()
        return measured


def _flush_loop(stop: threading.Event, metrics: Any, logs: Any) -> None:
    """What ``LocalSandbox`` does every second: metrics and logs into the sandbox."""
    while not stop.wait(1.0):
        metrics.flush()
        logs.flush()
    metrics.flush()
    logs.flush()


def _warm_up(runtime: Any, count: int) -> None:
    """Start ``count`` environments by holding ``count`` concurrent invocations."""
    threads = [threading.Thread(target=runtime.invoke, args=(b'{"hold": 0.3}',)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _run_raw_port(*, backend: Any, queue_kind: str, queue_arn: str, depth: int, cutoff_s: float,
                  **_: Any) -> dict[str, Any]:
    """5 threads: receive(10) -> delete, through the poller's own queue port."""
    port = _queue_port(backend, queue_kind)

    def drain(slot: int, processed: list[int], deadline: float) -> None:
        while time.perf_counter() < deadline:
            messages = port.receive(queue_arn, BATCH_SIZE, 0)
            if not messages:
                return
            port.delete(queue_arn, [m.receipt_handle for m in messages])
            processed[slot] += len(messages)

    return _drain_with_threads(drain, depth, cutoff_s)


def _run_raw_http(*, aws: Any, queue_url: str, depth: int, cutoff_s: float, **_: Any) -> dict[str, Any]:
    """5 threads: ReceiveMessage(10) -> DeleteMessageBatch with boto3 against the sandbox."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    clients = [
        session.client(
            "sqs", endpoint_url=aws.endpoint_url, region_name=REGION,
            aws_access_key_id="test", aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}),
        )
        for _ in range(CONCURRENCY)
    ]

    def drain(slot: int, processed: list[int], deadline: float) -> None:
        client = clients[slot]
        while time.perf_counter() < deadline:
            messages = client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=BATCH_SIZE).get("Messages", [])
            if not messages:
                return
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            client.delete_message_batch(QueueUrl=queue_url, Entries=entries)
            processed[slot] += len(messages)

    return _drain_with_threads(drain, depth, cutoff_s)


def _drain_with_threads(drain: Callable[[int, list[int], float], None], depth: int, cutoff_s: float) -> dict:
    processed = [0] * CONCURRENCY
    deadline = time.perf_counter() + cutoff_s
    threads = [threading.Thread(target=drain, args=(slot, processed, deadline)) for slot in range(CONCURRENCY)]
    measured = _measure(lambda: sum(processed), depth, cutoff_s, [], start=lambda: [t.start() for t in threads],
                        finished=lambda: not any(t.is_alive() for t in threads))
    for thread in threads:
        thread.join()  # their last, empty receive must finish before the sandbox stops
    return measured


def _measure(progress: Callable[[], int], depth: int, cutoff_s: float, workers: list, *,
             start: Callable[[], Any], finished: Callable[[], bool] = lambda: False) -> dict[str, Any]:
    """Wall and CPU time (this process and ``workers``) from ``start()`` until ``depth`` are done."""
    import psutil

    me = psutil.Process()
    self_before = me.cpu_times()
    cpu_workers = [_cpu(w) for w in workers]
    started = time.perf_counter()
    start()
    deadline = started + cutoff_s
    while progress() < depth and time.perf_counter() < deadline and not finished():
        time.sleep(0.002)
    elapsed = time.perf_counter() - started
    self_after = me.cpu_times()
    user, system = self_after.user - self_before.user, self_after.system - self_before.system
    cpu_children = sum(_cpu(w) - before for w, before in zip(workers, cpu_workers))
    return {
        "processed": progress(),
        "seconds": round(elapsed, 3),
        "cpu_s": round(user + system + cpu_children, 3),
        "cpu_s_sandbox": round(user + system, 3),
        "cpu_s_sandbox_system": round(system, 3),
        "cpu_s_workers": round(cpu_children, 3),
        "rss_mb_sandbox_after": round(me.memory_info().rss / 2**20, 1),
    }


def _cpu(process: Any) -> float:
    times = process.cpu_times()
    return times.user + times.system


_RUNNERS = {"dataplane": _run_dataplane, "raw-port": _run_raw_port, "raw-http": _run_raw_http}


# ------------------------------------------------------------------------------ the table


def _format(results: list[dict[str, Any]]) -> str:
    lines = [
        "| queue | way | depth | processed | s | msg/s | wall ms/msg | CPU ms/msg "
        "| sandbox RSS queued / after (MB) | workers RSS (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        processed = f"{r['processed']:,}" + ("" if r["complete"] else f" (cutoff {r['seconds']:.0f} s)")
        workers = r.get("rss_mb_workers", "")
        lines.append(
            f"| {r['queue']} | {r['kind']} | {r['depth']:,} | {processed} | {r['seconds']:.2f} "
            f"| {r['msg_per_s']:,} | {r['wall_ms_per_msg']} | {r['cpu_ms_per_msg']} "
            f"| {r['rss_mb_sandbox_queued']} / {r['rss_mb_sandbox_after']} | {workers} |"
        )
    return "\n".join(lines)


def _summary(results: list[dict[str, Any]]) -> str:
    by = {(r["kind"], r["queue"], r["depth"]): r for r in results}
    lines = []
    for depth in sorted({r["depth"] for r in results}):
        plane = by.get(("dataplane", "store", depth))
        for raw_kind in ("raw-port", "raw-http"):
            raw = by.get((raw_kind, "store", depth))
            if plane and raw:
                ratio = plane["msg_per_s"] / raw["msg_per_s"]
                lines.append(f"- depth {depth:,}: data plane / {raw_kind} = {ratio:.2f}")
    small, large = by.get(("dataplane", "store", 1000)), by.get(("dataplane", "store", 100000))
    if small and large:
        lines.append(
            f"- data plane cost per message at 100,000 / at 1,000: "
            f"{large['wall_ms_per_msg'] / small['wall_ms_per_msg']:.2f}x wall, "
            f"{large['cpu_ms_per_msg'] / small['cpu_ms_per_msg']:.2f}x CPU"
        )
    for r in results:
        if r["kind"] == "dataplane":
            lines.append(
                f"- {r['queue']}:{r['depth']:,}: sandbox + {r['environments']} warm workers RSS = "
                f"{r['rss_mb_sandbox_queued'] + r['rss_mb_workers']:.1f} MB "
                f"(sandbox {r['rss_mb_sandbox_queued']} MB, queue {r['rss_mb_of_queue']} MB, "
                f"workers {r['rss_mb_workers']} MB); "
                f"{r['batches']:,} batches, mean size {r['mean_batch']}, CPU sandbox {r['cpu_s_sandbox']} s / "
                f"workers {r['cpu_s_workers']} s"
            )
    return "\n".join(lines)


REPEATED = ("dataplane/store", "raw-port/store")  # seconds-long cases, noisy on a shared machine


def _untrack_messages() -> None:
    """Experiment for a proposed adapter fix: moto's ``BaseModel.__new__`` appends every
    instance to ``instances_tracked`` for its dashboard, so every SQS ``Message`` ever sent,
    and every snapshot a receive hands out, stays in memory for the life of the sandbox."""
    from moto.sqs import models as sqs_models

    sqs_models.Message.__new__ = staticmethod(lambda cls, *args, **kwargs: object.__new__(cls))


def _run_in_subprocess(case: str, cutoff_s: float, extra: list[str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--case", case, "--cutoff", str(cutoff_s), *extra],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    """Run every case (each in a subprocess) and print a markdown table, or one case as JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 only (about a minute)")
    parser.add_argument("--case", help="run one case in this process and print its JSON")
    parser.add_argument("--cases", nargs="*", help="cases to run, e.g. dataplane/store:10000 raw-http/store:1000")
    parser.add_argument("--cutoff", type=float, default=60.0, help="seconds before a moto-queue case gives up")
    parser.add_argument("--store-cutoff", type=float, default=300.0, help="seconds before a store case gives up")
    parser.add_argument("--breakdown", action="store_true",
                        help="also measure the sandbox CPU of each part of a batch (bench/dataplane_breakdown.py)")
    parser.add_argument("--untracked-messages", action="store_true",
                        help="experiment: stop moto tracking every sqs Message instance (see bench/README.md)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each in-process store case (they take seconds; the median is reported)")
    args = parser.parse_args()
    if args.untracked_messages:
        _untrack_messages()
    if args.case:
        print(json.dumps(run_case(args.case, args.cutoff)))
        return
    cases = args.cases or (QUICK_CASES if args.quick else FULL_CASES)
    started = datetime.now(timezone.utc)
    print(f"Run {started:%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}"
          + (" (experiment: moto Message instances untracked)" if args.untracked_messages else "") + "\n",
          flush=True)
    results = []
    for case in cases:
        runs = args.repeat if case.startswith(REPEATED) else 1
        cutoff = args.cutoff if "/moto:" in case else args.store_cutoff
        extra = ["--untracked-messages"] if args.untracked_messages else []
        attempts = [_run_in_subprocess(case, cutoff, extra) for _ in range(runs)]
        attempts.sort(key=lambda attempt: attempt["seconds"])
        result = attempts[len(attempts) // 2]
        result["runs_msg_per_s"] = [attempt["msg_per_s"] for attempt in attempts]
        results.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)
    print(_format(results))
    summary = _summary(results)
    if summary:
        print()
        print(summary)
    if args.breakdown:
        from dataplane_breakdown import format_breakdown, measure

        print()
        print(format_breakdown(measure(HANDLER_SOURCE)))
    print(f"\n{len(cases)} cases, {(datetime.now(timezone.utc) - started).total_seconds():.0f} s, "
          f"load average now {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

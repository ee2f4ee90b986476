"""Where the data plane's CPU goes per batch of 10: the parts of a batch, measured one by one.

Used by ``bench_dataplane.py --breakdown``. Every figure is CPU time of this (the sandbox)
process per batch of 10 no-op messages; the worker processes' CPU is not included, because
the sandbox process, with one GIL, is what limits throughput on this machine.

  encode       build the 10 SQS event records and the invoke payload (as SqsPoller does)
  invoke x1    Invoker.invoke of that payload on a warm worker, one thread
  invoke x5    the same from 5 threads at once (the mapping's maximum concurrency)

The queue's share (receive 10 + delete 10 through the port) is the ``raw-port`` row of the
main table.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

INVOCATIONS = 4000
ENCODE_ROUNDS = 20000


def _messages(count: int) -> list[Any]:
    from lambda_processor.sqs_semantics import ReceivedMessage

    return [
        ReceivedMessage(
            message_id=f"6f1d2c3a-0000-4000-8000-{index:012d}",
            receipt_handle="h" * 64,
            body=json.dumps({"order": index, "pad": "x" * 64}),
            md5_of_body="d41d8cd98f00b204e9800998ecf8427e",
            attributes={"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000",
                        "SenderId": "AIDAIT2UOQQY3AUEKVGXU", "ApproximateFirstReceiveTimestamp": "1700000000000"},
            message_attributes={},
            md5_of_message_attributes=None,
        )
        for index in range(count)
    ]


def _encode(messages: list[Any], queue_arn: str) -> bytes:
    from lambda_processor import sqs_semantics as sem

    parts = [json.dumps(sem.build_sqs_record(m, queue_arn, "us-east-1")) for m in messages]
    return ('{"Records": [' + ", ".join(parts) + "]}").encode()


def measure(handler_source: str, batch_size: int = 10, threads: tuple[int, ...] = (1, 5)) -> dict[str, float]:
    """Sandbox CPU ms per batch for each part (see the module docstring)."""
    from lambda_processor.dataplane.invoker import Invoker
    from lambda_processor.dataplane.log_writer import LogWriter
    from lambda_processor.dataplane.metrics import LambdaMetrics
    from lambda_processor.execution import ConcurrencyLimiter, FunctionRuntime, FunctionSpec, Throttled

    queue_arn = "arn:aws:sqs:us-east-1:123456789012:bench"
    messages = _messages(batch_size)
    started = time.process_time()
    for _ in range(ENCODE_ROUNDS):
        payload = _encode(messages, queue_arn)
    results = {"encode": 1000 * (time.process_time() - started) / ENCODE_ROUNDS, "payload_bytes": len(payload)}

    with tempfile.TemporaryDirectory(prefix="bench-breakdown-") as tmp:
        (Path(tmp) / "app.py").write_text(handler_source)
        spec = FunctionSpec(
            name="bench-noop", arn="arn:aws:lambda:us-east-1:123456789012:function:bench-noop",
            runtime="python3.11", handler="app.handler", code_dir=Path(tmp), layer_dirs=(), memory_size=128,
            timeout=30, environment={}, region="us-east-1", account_id="123456789012",
        )
        logs = LogWriter(lambda group, stream, events: None)
        metrics = LambdaMetrics(lambda namespace, data: None, clock=time.time)
        invoker = Invoker(metrics, clock=time.time, throttled_type=Throttled)
        invoker.register("bench-noop", FunctionRuntime(spec, log_sink=logs, account_limiter=ConcurrencyLimiter()))
        try:
            from bench_dataplane import _warm_up

            _warm_up(invoker.runtime("bench-noop"), max(threads))  # every environment is warm first
            for count in threads:
                for _ in range(300):  # warm-up
                    invoker.invoke("bench-noop", payload)

                def loop(invocations: int) -> None:
                    for _ in range(invocations):
                        invoker.invoke("bench-noop", payload)

                workers = [threading.Thread(target=loop, args=(INVOCATIONS // count,)) for _ in range(count)]
                cpu, wall = time.process_time(), time.perf_counter()
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
                results[f"invoke x{count}"] = 1000 * (time.process_time() - cpu) / INVOCATIONS
                results[f"invoke x{count} wall"] = 1000 * (time.perf_counter() - wall) / INVOCATIONS
                logs.flush()
                metrics.flush()
        finally:
            invoker.close()
    return results


def format_breakdown(results: dict[str, float]) -> str:
    """A markdown table of ``measure``'s results."""
    lines = ["| part of a batch of 10 | sandbox CPU ms per batch | wall ms per batch |", "|---|---:|---:|"]
    lines.append(f"| encode records + payload ({results['payload_bytes']:,} bytes) | {results['encode']:.3f} | |")
    for key in sorted(k for k in results if k.startswith("invoke") and not k.endswith("wall")):
        lines.append(f"| {key} | {results[key]:.3f} | {results[key + ' wall']:.3f} |")
    return "\n".join(lines)

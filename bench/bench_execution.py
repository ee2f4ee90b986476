"""Benchmarks for lambda_processor.execution (results go to bench/README.md).

    .venv/bin/python bench/bench_execution.py [--warm N] [--cold N]

1. Warm overhead: a warm invoke of a no-op handler vs calling the same function
   in-process; the difference is what the worker protocol costs per invocation.
2. Cold start: wall time of the first invoke of a fresh Python environment, and the
   Init Duration it reports.
3. Memory: RSS of 5 warm Python workers, and of this process hosting them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import psutil

from lambda_processor.execution import FunctionRuntime, FunctionSpec

HANDLER_SOURCE = '''
import time

def noop(event, context):
    return event

def hold(event, context):
    time.sleep(event["seconds"])
    return None
'''

EVENT = json.dumps({"Records": [{"messageId": "m-1", "body": json.dumps({"orderId": 1})}]}).encode()


class _Context:
    """Stand-in context for the in-process baseline call (the no-op ignores it)."""

    aws_request_id = "bench"


def _spec(code_dir: Path, handler: str) -> FunctionSpec:
    return FunctionSpec(
        name="bench-fn",
        arn="arn:aws:lambda:us-east-1:123456789012:function:bench-fn",
        runtime="python3.11",
        handler=handler,
        code_dir=code_dir,
        layer_dirs=(),
        memory_size=512,
        timeout=30,
        environment={},
        region="us-east-1",
        account_id="123456789012",
    )


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_warm_overhead(code_dir: Path, count: int) -> dict:
    """Per-invocation time of warm invokes vs direct calls of the same function."""
    spec = importlib.util.spec_from_file_location("bench_handler", code_dir / "bench_handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    direct = []
    for _ in range(count):
        started = time.perf_counter()
        json.dumps(module.noop(json.loads(EVENT), _Context()))  # the same (de)serialisation the worker does
        direct.append((time.perf_counter() - started) * 1000)
    with FunctionRuntime(_spec(code_dir, "bench_handler.noop")) as runtime:
        runtime.invoke(EVENT)  # cold start, not measured
        for _ in range(200):
            runtime.invoke(EVENT)  # warm-up
        warm = []
        for _ in range(count):
            started = time.perf_counter()
            runtime.invoke(EVENT)
            warm.append((time.perf_counter() - started) * 1000)
    return {
        "invocations": count,
        "direct_mean_ms": statistics.mean(direct),
        "warm_mean_ms": statistics.mean(warm),
        "warm_p50_ms": _percentile(warm, 0.50),
        "warm_p99_ms": _percentile(warm, 0.99),
        "overhead_mean_ms": statistics.mean(warm) - statistics.mean(direct),
        "overhead_p50_ms": _percentile(warm, 0.50) - _percentile(direct, 0.50),
    }


def bench_cold_start(code_dir: Path, count: int) -> dict:
    """First-invoke wall time and reported Init Duration of fresh environments."""
    walls, inits = [], []
    for _ in range(count):
        with FunctionRuntime(_spec(code_dir, "bench_handler.noop")) as runtime:
            started = time.perf_counter()
            result = runtime.invoke(EVENT)
            walls.append((time.perf_counter() - started) * 1000)
            inits.append(result.init_duration_ms)
    return {
        "cold_starts": count,
        "first_invoke_p50_ms": statistics.median(walls),
        "first_invoke_max_ms": max(walls),
        "init_duration_p50_ms": statistics.median(inits),
    }


def bench_memory(code_dir: Path, workers: int = 5) -> dict:
    """RSS of ``workers`` warm environments and of the hosting process."""
    with FunctionRuntime(_spec(code_dir, "bench_handler.hold")) as runtime:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda _: runtime.invoke(b'{"seconds": 1}'), range(workers)))
        if runtime.environments != workers:
            raise RuntimeError(f"expected {workers} warm environments, got {runtime.environments}")
        worker_rss = [psutil.Process(pid).memory_info().rss for pid in runtime.worker_pids]
        host_rss = psutil.Process().memory_info().rss
    mb = 1024 * 1024
    return {
        "workers": workers,
        "per_worker_mb": [round(rss / mb, 1) for rss in worker_rss],
        "workers_total_mb": round(sum(worker_rss) / mb, 1),
        "host_process_mb": round(host_rss / mb, 1),
        "total_mb": round((sum(worker_rss) + host_rss) / mb, 1),
    }


def main() -> None:
    """Run the three benchmarks and print the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm", type=int, default=5000, help="warm invocations to time")
    parser.add_argument("--cold", type=int, default=20, help="cold starts to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        code_dir = Path(directory)
        (code_dir / "bench_handler.py").write_text(HANDLER_SOURCE)
        results = {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {psutil.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}",
            "warm_overhead": bench_warm_overhead(code_dir, args.warm),
            "cold_start": bench_cold_start(code_dir, args.cold),
            "memory": bench_memory(code_dir),
        }
    results["load_average_1m"] = os.getloadavg()[0]  # other work on the machine skews the tails
    json.dump(_rounded(results), sys.stdout, indent=2)
    print()


def _rounded(value):
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


if __name__ == "__main__":
    main()

"""Benchmark: drain pre-queued SQS messages with receive(10) + delete-batch at concurrency 5.

For each depth (1,000 / 10,000 / 100,000 messages queued before the clock starts) and each way
in, five threads loop ``receive up to 10 -> delete those`` until the queue is empty or the
cutoff passes. Reported per case: messages processed, msg/s, wall and CPU milliseconds per
message, and the process RSS with the whole depth queued.

Ways in:
  store/fast   the SQS store's in-process fast path (receive_batch / delete_batch), what the
               data plane uses
  store/api    the store through moto's backend API in process (SQSBackend.receive_message /
               delete_message_batch), what every HTTP request ends up calling
  store/http   the store behind a ThreadedMotoServer, driven by boto3 (one client per thread)
  moto/api     moto 5.2.5's unmodified queue, backend API in process
  moto/http    moto 5.2.5's unmodified queue over HTTP

Each case runs in its own subprocess so RSS and thread state do not leak between cases. The
in-process store cases take well under a second, so scheduling noise on a shared machine
dominates one run: they run ``--repeat`` times (default 3) and the fastest run is reported.
moto's own queue runs only where it can finish, or up to the cutoff (then the rate is over the
messages it managed). Usage::

    .venv/bin/python bench/bench_sqs_store.py            # the full table (markdown on stdout)
    .venv/bin/python bench/bench_sqs_store.py --case store/fast:100000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

CONCURRENCY = 5
BATCH = 10
REGION = "us-east-1"
ACCOUNT = "123456789012"
QUEUE = "bench"

DEFAULT_CASES = [
    "store/fast:1000",
    "store/fast:10000",
    "store/fast:100000",
    "store/api:1000",
    "store/api:10000",
    "store/api:100000",
    "store/http:1000",
    "store/http:10000",
    "store/http:100000",
    "moto/api:1000",
    "moto/api:10000",
    "moto/http:1000",
]


def run_case(case: str, cutoff_s: float) -> dict[str, Any]:
    """Run one case in this process and return its measurements."""
    import psutil
    from moto.moto_api._internal import mock_random
    from moto.sqs import models as sqs_models

    from lambda_processor.sandbox.moto_adapter import sqs_store

    implementation_way, depth_text = case.split(":")
    implementation, way = implementation_way.split("/")
    depth = int(depth_text)
    if implementation == "store":
        sqs_store.install_sqs_store()
    process = psutil.Process()
    rss_before = process.memory_info().rss
    backend = sqs_models.sqs_backends[ACCOUNT][REGION]
    queue = backend.create_queue(QUEUE, VisibilityTimeout="300")

    started_fill = time.perf_counter()
    for index in range(depth):
        # Same construction as SQSBackend.send_message, without its per-send attribute read
        # (which makes filling moto's own queue quadratic).
        message = sqs_models.Message(str(mock_random.uuid4()), f'{{"order": {index}, "pad": "{"x" * 64}"}}')
        message.mark_sent()
        queue.add_message(message)
    fill_s = time.perf_counter() - started_fill
    rss_queued = process.memory_info().rss

    worker = _worker_factory(way, queue, backend)
    processed = [0] * CONCURRENCY
    deadline = time.perf_counter() + cutoff_s
    cpu_start = time.process_time()
    started = time.perf_counter()
    threads = [
        threading.Thread(target=worker, args=(slot, processed, deadline), name=f"drain-{slot}")
        for slot in range(CONCURRENCY)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_start
    total = sum(processed)
    return {
        "case": case,
        "implementation": implementation,
        "way": way,
        "depth": depth,
        "processed": total,
        "complete": total >= depth,
        "seconds": round(elapsed, 3),
        "msg_per_s": round(total / elapsed, 1) if elapsed else None,
        "wall_ms_per_msg": round(1000 * elapsed / total, 4) if total else None,
        "cpu_ms_per_msg": round(1000 * cpu / total, 4) if total else None,
        "fill_s": round(fill_s, 2),
        "rss_mb_queued": round(rss_queued / 2**20, 1),
        "rss_mb_for_queue": round((rss_queued - rss_before) / 2**20, 1),
    }


def _worker_factory(way: str, queue: Any, backend: Any) -> Any:
    from lambda_processor.sandbox.moto_adapter import sqs_store

    if way == "fast":

        def fast(slot: int, processed: list[int], deadline: float) -> None:
            while time.perf_counter() < deadline:
                messages = sqs_store.receive_batch(queue, BATCH)
                if not messages:
                    return
                sqs_store.delete_batch(queue, [message.receipt_handle for message in messages])
                processed[slot] += len(messages)

        return fast

    if way == "api":
        lock = threading.Lock()  # moto's own queue is not thread-safe; the store does not need it
        use_lock = not isinstance(queue, sqs_store.IndexedQueue)

        def api(slot: int, processed: list[int], deadline: float) -> None:
            while time.perf_counter() < deadline:
                with lock if use_lock else _no_lock():
                    messages = backend.receive_message(QUEUE, BATCH, 0, 300, [])
                if not messages:
                    return
                entries = [{"Id": str(i), "ReceiptHandle": m.receipt_handle} for i, m in enumerate(messages)]
                with lock if use_lock else _no_lock():
                    backend.delete_message_batch(QUEUE, entries)
                processed[slot] += len(messages)

        return api

    if way == "http":
        import boto3
        from botocore.config import Config
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        session = boto3.session.Session()
        clients = [
            session.client(
                "sqs",
                endpoint_url=endpoint,
                region_name=REGION,
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=Config(retries={"max_attempts": 1}, max_pool_connections=CONCURRENCY),
            )
            for _ in range(CONCURRENCY)
        ]
        url = clients[0].get_queue_url(QueueName=QUEUE)["QueueUrl"]

        def http(slot: int, processed: list[int], deadline: float) -> None:
            client = clients[slot]
            while time.perf_counter() < deadline:
                messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=BATCH).get("Messages", [])
                if not messages:
                    return
                entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
                client.delete_message_batch(QueueUrl=url, Entries=entries)
                processed[slot] += len(messages)

        return http

    raise SystemExit(f"unknown way {way!r}")


class _no_lock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| queue | way in | depth | processed | msg/s | wall ms/msg | CPU ms/msg | RSS with depth queued (MB) | of which the queue (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        processed = f"{r['processed']:,}" + ("" if r["complete"] else " (cutoff)")
        lines.append(
            f"| {r['implementation']} | {r['way']} | {r['depth']:,} | {processed} | {r['msg_per_s']:,} | "
            f"{r['wall_ms_per_msg']} | {r['cpu_ms_per_msg']} | {r['rss_mb_queued']} | {r['rss_mb_for_queue']} |"
        )
    return "\n".join(lines)


def _ratios(results: list[dict[str, Any]]) -> str:
    lines = []
    by_key = {(r["implementation"], r["way"], r["depth"]): r for r in results}
    for (implementation, way, depth), r in sorted(by_key.items()):
        base = by_key.get((implementation, way, 1000))
        if depth == 100000 and base and base["wall_ms_per_msg"]:
            lines.append(
                f"- {implementation}/{way}: cost per message at 100,000 / at 1,000 = "
                f"{r['wall_ms_per_msg'] / base['wall_ms_per_msg']:.2f}x wall, "
                f"{r['cpu_ms_per_msg'] / base['cpu_ms_per_msg']:.2f}x CPU"
            )
    return "\n".join(lines)


def main() -> None:
    """Run one case (``--case``) or every case in subprocesses and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", help="one case, e.g. store/fast:100000 (prints JSON)")
    parser.add_argument("--cutoff", type=float, default=60.0, help="seconds per case before giving up")
    parser.add_argument("--cases", nargs="*", default=DEFAULT_CASES)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each in-process store case")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.cutoff)))
        return
    results = []
    for case in args.cases:
        runs = args.repeat if case.startswith(("store/fast", "store/api")) else 1
        attempts = []
        for _ in range(runs):
            output = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--case", case, "--cutoff", str(args.cutoff)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            attempts.append(json.loads(output.strip().splitlines()[-1]))
        result = min(attempts, key=lambda attempt: attempt["seconds"])
        result["runs"] = runs
        results.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)
    print(_table(results))
    print()
    print(_ratios(results))


if __name__ == "__main__":
    main()

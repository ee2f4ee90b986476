"""data-processor: SQS messages naming raw S3 objects -> processed output in the processed bucket.

Handler ``app.handler`` (the image's CMD). Each message is an S3 event notification from the raw
bucket (or ``{"bucket": ..., "key": ...}``). Each named object is read, transformed
(see processing.py) and written to ``S3_BUCKET`` as ``part-NNNNN.jsonl`` files of ``BATCH_SIZE``
lines plus ``_SUMMARY.json``. Messages are processed by ``PARALLEL_WORKERS`` threads; a message
whose object cannot be read or written is reported in ``batchItemFailures`` and retried.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from processing import InvalidMessage, ObjectRef, chunks, jsonl, object_refs, output_prefix, summarize, transform

_S3 = None


def s3():
    """The S3 client, shared by the worker threads (boto3 clients are thread-safe)."""
    global _S3
    if _S3 is None:
        _S3 = boto3.client("s3")
    return _S3


def log(level: str, event: str, **fields: object) -> None:
    """One JSON log line on stdout (CloudWatch Logs)."""
    print(json.dumps({"level": level, "event": event, **fields}, default=str), file=sys.stdout, flush=True)


def settings() -> tuple[str, int, int]:
    """(output bucket, lines per part, worker threads) from the environment."""
    bucket = os.environ.get("S3_BUCKET")
    if not bucket:
        raise RuntimeError("S3_BUCKET is not set: configure it in the module's environment_variables")
    return bucket, int(os.environ.get("BATCH_SIZE", "1000")), int(os.environ.get("PARALLEL_WORKERS", "4"))


def process_object(ref: ObjectRef, output_bucket: str, lines_per_part: int) -> dict:
    """Read, transform and write one raw object; return its summary."""
    text = s3().get_object(Bucket=ref.bucket, Key=ref.key)["Body"].read().decode("utf-8")
    transformed = transform(text)
    prefix = output_prefix(ref)
    for index, part in enumerate(chunks(transformed.records, lines_per_part)):
        s3().put_object(Bucket=output_bucket, Key=f"{prefix}part-{index:05d}.jsonl", Body=jsonl(part),
                        ContentType="application/x-ndjson")
    summary = summarize(ref, transformed)
    s3().put_object(Bucket=output_bucket, Key=f"{prefix}_SUMMARY.json",
                    Body=json.dumps(summary, sort_keys=True).encode(), ContentType="application/json")
    return summary


def process_record(record: dict, output_bucket: str, lines_per_part: int) -> list[dict]:
    """Process every object one SQS record names; raise on the first failure."""
    return [process_object(ref, output_bucket, lines_per_part) for ref in object_refs(record["body"])]


def handler(event: dict, context: object) -> dict:
    """Lambda entry point for the SQS mapping (ReportBatchItemFailures on)."""
    output_bucket, lines_per_part, workers = settings()
    records = event.get("Records", [])
    failures = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [(r["messageId"], pool.submit(process_record, r, output_bucket, lines_per_part)) for r in records]
        for message_id, future in futures:
            try:
                summaries = future.result()
            except (InvalidMessage, ClientError, BotoCoreError, UnicodeDecodeError) as e:
                log("WARNING", "message_failed", messageId=message_id, reason=str(e), kind=type(e).__name__)
                failures.append({"itemIdentifier": message_id})
            else:
                for summary in summaries:
                    log("INFO", "object_processed", messageId=message_id, **summary)
    log("INFO", "batch_done", records=len(records), failed=len(failures))
    return {"batchItemFailures": failures}

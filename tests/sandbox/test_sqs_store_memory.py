"""Processed messages must not stay in memory (moto tracks every model instance by default)."""

import gc

import boto3
import moto.sqs.models as sqs_models

from lambda_processor.sandbox import EmbeddedAws, backend_lock
from lambda_processor.sandbox.moto_adapter.sqs_store import delete_batch, find_store_queue, receive_batch


def live_messages() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, sqs_models.Message))


def test_deleted_messages_and_receive_snapshots_are_freed():
    with EmbeddedAws.start() as aws:
        sqs = boto3.client("sqs", endpoint_url=aws.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        sqs.create_queue(QueueName="memory")
        queue = find_store_queue("arn:aws:sqs:us-east-1:123456789012:memory")
        baseline = live_messages()
        with backend_lock:
            backend = sqs_models.sqs_backends["123456789012"]["us-east-1"]
            for _ in range(500):
                backend.send_message("memory", "payload")
        assert live_messages() - baseline >= 500
        while batch := receive_batch(queue, 10):
            delete_batch(queue, [m.receipt_handle for m in batch])
            del batch
        assert live_messages() - baseline == 0

"""moto's own SQS -> Lambda delivery stays off; mappings are still stored and managed."""

from __future__ import annotations


def make_mapped_queue(client, make_function):
    make_function("consumer")
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="mapped")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mapping = client("lambda").create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName="consumer", BatchSize=5
    )
    return sqs, queue_url, mapping


def test_a_message_sent_to_a_mapped_queue_stays_in_the_queue(hooks, client, make_function):
    sqs, queue_url, _ = make_mapped_queue(client, make_function)
    sqs.send_message(QueueUrl=queue_url, MessageBody="for the poller")
    assert hooks.invocations == []
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert [message["Body"] for message in messages] == ["for the poller"]


def test_mappings_can_still_be_read_updated_and_deleted(hooks, client, make_function):
    _, _, mapping = make_mapped_queue(client, make_function)
    lam = client("lambda")
    uuid = mapping["UUID"]
    assert lam.get_event_source_mapping(UUID=uuid)["BatchSize"] == 5
    assert [m["UUID"] for m in lam.list_event_source_mappings(FunctionName="consumer")["EventSourceMappings"]] == [uuid]
    lam.update_event_source_mapping(UUID=uuid, BatchSize=10, Enabled=False)
    updated = lam.get_event_source_mapping(UUID=uuid)
    assert updated["BatchSize"] == 10
    assert updated["State"] == "Disabled"
    lam.delete_event_source_mapping(UUID=uuid)
    assert lam.list_event_source_mappings(FunctionName="consumer")["EventSourceMappings"] == []


def test_a_second_mapping_on_the_same_queue_can_be_created(hooks, client, make_function):
    """moto's broken duplicate check reads the (now empty) per-queue dict; creation must keep working."""
    sqs, queue_url, _ = make_mapped_queue(client, make_function)
    make_function("second-consumer")
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    second = client("lambda").create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="second-consumer")
    assert second["FunctionArn"].endswith(":function:second-consumer")

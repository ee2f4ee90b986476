"""SandboxClient against a bare embedded AWS (no terraform): sends, FIFO ids, attributes, logs."""

from __future__ import annotations


import pytest

from lambda_processor.client import SandboxClient, SandboxNotFound, find_endpoint, write_state_file
from lambda_processor.errors import LambdaProcessorError
from lambda_processor.sandbox import EmbeddedAws
from lambda_processor.sandbox.moto_adapter import direct


@pytest.fixture(scope="module")
def client():
    with EmbeddedAws.start() as aws:
        yield SandboxClient(aws.endpoint_url, "us-east-1")


def test_find_endpoint_prefers_flag_then_env_then_state_file(tmp_path):
    assert find_endpoint("http://a:1/", {"AWS_ENDPOINT_URL": "http://b:2"}, tmp_path)[0] == "http://a:1"
    assert find_endpoint(None, {"AWS_ENDPOINT_URL": "http://b:2"}, tmp_path)[0] == "http://b:2"
    write_state_file(tmp_path, {"endpoint": "http://c:3", "region": "eu-west-1"})
    assert find_endpoint(None, {}, tmp_path) == ("http://c:3", "eu-west-1")


def test_no_sandbox_is_one_clear_error(tmp_path):
    with pytest.raises(SandboxNotFound, match="no running sandbox found"):
        find_endpoint(None, {}, tmp_path)


def test_send_to_a_fifo_queue_carries_group_dedup_ids_and_attributes(client):
    sqs = client.boto("sqs")
    url = sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    ids = client.send("orders.fifo", ["a", "b", "c"], group_id="g1", dedup_id="d", attributes={"kind": "x", "n": "3"})
    assert len(set(ids)) == 3
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                   MessageAttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in messages] == ["a", "b", "c"]  # one group, in order
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"g1"}
    assert [m["Attributes"]["MessageDeduplicationId"] for m in messages] == ["d-0", "d-1", "d-2"]
    assert messages[0]["MessageAttributes"]["n"] == {"DataType": "Number", "StringValue": "3"}
    assert messages[0]["MessageAttributes"]["kind"] == {"DataType": "String", "StringValue": "x"}


def test_queue_is_found_by_name_arn_and_url(client):
    url = client.boto("sqs").create_queue(QueueName="plain")["QueueUrl"]
    assert client.resolve_queue_url("plain") == url
    assert client.resolve_queue_url("arn:aws:sqs:us-east-1:123456789012:plain") == url
    assert client.resolve_queue_url(url) == url


def test_unknown_queue_names_the_queue(client):
    with pytest.raises(LambdaProcessorError, match="queue 'nope': unknown queue"):
        client.resolve_queue_url("nope")


def test_logs_follow_yields_new_events_as_they_arrive(client):
    group = "/aws/lambda/followed"
    direct.logs_put_events(group, "s1", [{"timestamp": 1_700_000_000_000, "message": "first"}],
                           account_id="123456789012", region="us-east-1")
    events = client.log_events("followed", follow=True, poll_seconds=0.05)
    assert next(events)["message"] == "first"
    direct.logs_put_events(group, "s1", [{"timestamp": 1_700_000_001_000, "message": "second"}],
                           account_id="123456789012", region="us-east-1")
    assert next(events)["message"] == "second"
    events.close()


def test_logs_without_follow_end_and_a_missing_group_is_named(client):
    direct.logs_put_events("/aws/lambda/once", "s", [{"timestamp": 1, "message": "only"}],
                           account_id="123456789012", region="us-east-1")
    assert [e["message"] for e in client.log_events("once")] == ["only"]
    with pytest.raises(LambdaProcessorError, match="no log group yet"):
        list(client.log_events("never-ran"))

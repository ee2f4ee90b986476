"""EmbeddedAws: loopback only, free or given port, clean start/stop, the backend lock."""

from __future__ import annotations

import socket
import threading

import boto3
import pytest

from lambda_processor.sandbox import EmbeddedAws, SandboxError, SandboxHooks
from lambda_processor.sandbox import moto_adapter


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin_client(aws: EmbeddedAws, service: str):
    return boto3.client(
        service,
        endpoint_url=aws.endpoint_url,
        region_name=aws.region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_starts_on_loopback_with_a_free_port_and_stops():
    aws = EmbeddedAws.start()
    try:
        assert aws.port > 0
        assert aws.endpoint_url == f"http://127.0.0.1:{aws.port}"
        assert aws.account_id == "123456789012"
        assert aws.region == "us-east-1"
        assert aws._server.server_address[0] == "127.0.0.1"
        socket.create_connection(("127.0.0.1", aws.port), timeout=2).close()
    finally:
        aws.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", aws.port), timeout=2).close()


def test_listens_on_the_given_port():
    port = free_port()
    with EmbeddedAws.start(port=port, region="eu-west-1") as aws:
        assert aws.port == port
        assert aws.region == "eu-west-1"


def test_a_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(SandboxError, match="cannot listen on 127.0.0.1"):
            EmbeddedAws.start(port=taken.getsockname()[1])
    assert not moto_adapter.installed()


def test_only_one_embedded_aws_per_process(aws):
    with pytest.raises(SandboxError, match="already running at " + aws.endpoint_url):
        EmbeddedAws.start()
    assert moto_adapter.installed()  # the running one is untouched


def test_boto3_works_against_the_endpoint(client):
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="hello")
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == "hello"

    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="orders", Item={"pk": {"S": "1"}})
    assert dynamodb.get_item(TableName="orders", Key={"pk": {"S": "1"}})["Item"] == {"pk": {"S": "1"}}

    sns = client("sns")
    topic_arn = sns.create_topic(Name="alerts")["TopicArn"]
    assert sns.publish(TopicArn=topic_arn, Message="m")["MessageId"]


def test_wsgi_middleware_can_answer_its_own_paths(aws, client):
    import urllib.request

    def control(app):
        def middleware(environ, start_response):
            if environ["PATH_INFO"] == "/_control/ping":
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"pong"]
            return app(environ, start_response)

        return middleware

    aws.wrap_wsgi_app(control)
    with urllib.request.urlopen(f"{aws.endpoint_url}/_control/ping") as response:
        assert response.read() == b"pong"
    assert client("sqs").list_queues().get("QueueUrls", []) == []  # moto still answers


def test_no_state_survives_into_the_next_start():
    with EmbeddedAws.start() as first:
        admin_client(first, "sqs").create_queue(QueueName="leftover")
        admin_client(first, "sns").create_topic(Name="leftover")
    with EmbeddedAws.start() as second:
        assert admin_client(second, "sqs").list_queues().get("QueueUrls", []) == []
        assert admin_client(second, "sns").list_topics()["Topics"] == []


def test_stop_restores_moto_and_forgets_hooks():
    from moto.awslambda.responses import LambdaResponse

    original = LambdaResponse.invoke
    with EmbeddedAws.start(hooks=SandboxHooks(invoke=lambda **_: (200, b"", None, None))):
        assert LambdaResponse.invoke is not original
        assert moto_adapter.current_hooks().invoke is not None
    assert LambdaResponse.invoke is original
    assert not moto_adapter.installed()
    assert moto_adapter.current_hooks() == SandboxHooks()


def test_handler_calling_back_during_a_synchronous_invoke_does_not_deadlock(aws, client, make_function):
    """The invoke hook runs with the backend lock released, so user code may call the sandbox."""
    queue_url = client("sqs").create_queue(QueueName="from-handler")["QueueUrl"]

    def invoke(**call):
        # What a handler does: call the sandbox over HTTP while its own Invoke is in flight.
        client("sqs").send_message(QueueUrl=queue_url, MessageBody=call["payload"].decode())
        return 200, b'"sent"', None, None

    aws.set_hooks(SandboxHooks(invoke=invoke))
    make_function("caller")
    response = client("lambda").invoke(FunctionName="caller", Payload=b'{"n": 1}')
    assert response["Payload"].read() == b'"sent"'
    assert client("sqs").receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == '{"n": 1}'


@pytest.mark.parametrize("sqs_store", [True, False], ids=["sqs-store", "moto-queue"])
def test_long_polling_releases_the_backend_lock(sqs_store):
    """A ReceiveMessage waiting for messages must let the SendMessage that ends its wait through.

    If the wait held the lock, the send would block until the 20 s poll gave up empty.
    """
    with EmbeddedAws.start(sqs_store=sqs_store) as aws:
        sqs = admin_client(aws, "sqs")
        queue_url = sqs.create_queue(QueueName="long-poll")["QueueUrl"]
        received = []
        poller = threading.Thread(
            target=lambda: received.extend(
                admin_client(aws, "sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=20).get("Messages", [])
            )
        )
        poller.start()
        threading.Event().wait(0.5)  # ordering only: let the poll start waiting before the send
        sqs.send_message(QueueUrl=queue_url, MessageBody="wake up")
        poller.join(timeout=60)
        assert [message["Body"] for message in received] == ["wake up"]

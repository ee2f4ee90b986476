"""Least privilege: STS credentials minted for a role are held to its policies (issue 4)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lambda_processor.sandbox import SandboxError
from lambda_processor.sandbox.moto_adapter import enable_iam_enforcement, iam_enforcement_enabled, mint_role_credentials

ACCOUNT = "123456789012"


def allow(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_table(client, name: str) -> None:
    client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def role_credentials(client, role_arn: str, policy: str) -> tuple[str, str, str]:
    client("iam").put_role_policy(RoleName=role_arn.split("/")[-1], PolicyName="inline", PolicyDocument=policy)
    enable_iam_enforcement()
    return mint_role_credentials(role_arn, "fn-session")


def denied(call) -> dict:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]


def test_minted_credentials_are_sts_keys_for_the_role(aws, role_arn, client):
    key, secret, token = mint_role_credentials(role_arn, "fn-session")
    assert key.startswith("ASIA") and secret and token
    identity = client("sts", (key, secret, token)).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/fn-role/fn-session"


def test_a_role_allowed_put_item_on_table_a_is_denied_on_table_b(aws, role_arn, client):
    make_table(client, "A")
    make_table(client, "B")
    credentials = role_credentials(
        client,
        role_arn,
        allow({"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/A"}),
    )
    dynamodb = client("dynamodb", credentials)
    dynamodb.put_item(TableName="A", Item={"pk": {"S": "1"}})
    error = denied(lambda: dynamodb.put_item(TableName="B", Item={"pk": {"S": "1"}}))
    assert error["Code"] == "AccessDeniedException"
    assert f"dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/B" in error["Message"]
    assert denied(lambda: dynamodb.get_item(TableName="A", Key={"pk": {"S": "1"}}))["Code"] == "AccessDeniedException"


def test_dynamodb_index_queries_are_checked_against_the_index_arn(aws, role_arn, client):
    client("dynamodb").create_table(
        TableName="T",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    credentials = role_credentials(
        client,
        role_arn,
        allow({"Effect": "Allow", "Action": "dynamodb:Query", "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/T/index/*"}),
    )
    dynamodb = client("dynamodb", credentials)
    query = {"KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "x"}}}
    assert dynamodb.query(TableName="T", IndexName="by-g", **query)["Items"] == []
    assert denied(lambda: dynamodb.query(TableName="T", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "x"}}))[
        "Code"
    ] == "AccessDeniedException"


def test_sns_publish_is_allowed_only_to_the_granted_topic(aws, role_arn, client):
    sns_admin = client("sns")
    topic_x = sns_admin.create_topic(Name="X")["TopicArn"]
    topic_y = sns_admin.create_topic(Name="Y")["TopicArn"]
    credentials = role_credentials(client, role_arn, allow({"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_x}))
    sns = client("sns", credentials)
    assert sns.publish(TopicArn=topic_x, Message="ok")["MessageId"]
    error = denied(lambda: sns.publish(TopicArn=topic_y, Message="no"))
    assert error["Code"] == "AccessDenied"
    assert topic_y in error["Message"]


def test_a_resource_scoped_deny_wins(aws, role_arn, client):
    make_table(client, "A")
    credentials = role_credentials(
        client,
        role_arn,
        allow(
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/A"},
        ),
    )
    dynamodb = client("dynamodb", credentials)
    dynamodb.put_item(TableName="A", Item={"pk": {"S": "1"}})
    assert denied(lambda: dynamodb.delete_item(TableName="A", Key={"pk": {"S": "1"}}))["Code"] == "AccessDeniedException"


def test_lambda_invoke_is_checked_as_invoke_function(aws, role_arn, client, make_function, hooks):
    make_function("allowed")
    make_function("other")
    credentials = role_credentials(
        client,
        role_arn,
        allow({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:allowed"}),
    )
    lam = client("lambda", credentials)
    assert lam.invoke(FunctionName="allowed")["StatusCode"] == 200
    error = denied(lambda: lam.invoke(FunctionName="other"))
    assert error["Code"] == "AccessDeniedException"
    assert "lambda:InvokeFunction" in error["Message"]


def test_events_put_events_is_checked_on_the_bus(aws, role_arn, client):
    client("events").create_event_bus(Name="orders")
    credentials = role_credentials(
        client,
        role_arn,
        allow({"Effect": "Allow", "Action": "events:PutEvents", "Resource": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/orders"}),
    )
    events = client("events", credentials)
    entry = {"Source": "s", "DetailType": "d", "Detail": "{}"}
    assert events.put_events(Entries=[{**entry, "EventBusName": "orders"}])["FailedEntryCount"] == 0
    assert denied(lambda: events.put_events(Entries=[entry]))["Code"] == "AccessDeniedException"


def test_sqs_send_is_checked_on_the_queue(aws, role_arn, client):
    sqs_admin = client("sqs")
    allowed_url = sqs_admin.create_queue(QueueName="allowed")["QueueUrl"]
    other_url = sqs_admin.create_queue(QueueName="other")["QueueUrl"]
    credentials = role_credentials(
        client,
        role_arn,
        allow({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:allowed"}),
    )
    sqs = client("sqs", credentials)
    sqs.send_message(QueueUrl=allowed_url, MessageBody="ok")
    assert denied(lambda: sqs.send_message(QueueUrl=other_url, MessageBody="no"))["Code"] == "AccessDenied"


def test_s3_objects_are_checked_on_the_bucket(aws, role_arn, client):
    client("s3").create_bucket(Bucket="granted-bucket")
    client("s3").create_bucket(Bucket="other-bucket")
    credentials = role_credentials(
        client, role_arn, allow({"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::granted-bucket/*"})
    )
    s3 = client("s3", credentials)
    s3.put_object(Bucket="granted-bucket", Key="k", Body=b"data")
    assert s3.get_object(Bucket="granted-bucket", Key="k")["Body"].read() == b"data"
    assert denied(lambda: s3.put_object(Bucket="other-bucket", Key="k", Body=b"x"))["Code"] == "AccessDenied"


def test_cloudwatch_actions_use_the_iam_prefix(aws, role_arn, client):
    credentials = role_credentials(client, role_arn, allow({"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}))
    cloudwatch = client("cloudwatch", credentials)
    cloudwatch.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Orders", "Value": 1.0}])
    assert denied(lambda: cloudwatch.list_metrics())["Code"] == "AccessDeniedException"


def test_the_admin_key_keeps_full_rights_while_enforcing(aws, client):
    enable_iam_enforcement()
    assert iam_enforcement_enabled()
    make_table(client, "admin-table")
    client("dynamodb").put_item(TableName="admin-table", Item={"pk": {"S": "1"}})


def test_sts_keys_are_not_checked_until_enforcement_is_enabled(aws, role_arn, client):
    make_table(client, "A")
    credentials = mint_role_credentials(role_arn, "before")
    client("dynamodb", credentials).put_item(TableName="A", Item={"pk": {"S": "1"}})


def test_enforcement_ends_with_the_sandbox(role_arn, client, aws):
    enable_iam_enforcement()
    aws.stop()
    assert not iam_enforcement_enabled()


def test_minting_for_a_non_role_arn_is_a_clear_error(aws):
    with pytest.raises(SandboxError, match="is not an IAM role ARN"):
        mint_role_credentials("arn:aws:iam::123456789012:user/alice", "s")

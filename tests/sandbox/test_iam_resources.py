"""Resource ARNs an API request acts on (pure), as IAM evaluates them."""

from __future__ import annotations

from lambda_processor.sandbox.moto_adapter.iam_resources import iam_action_name, resource_arns

WHERE = {"region": "eu-west-1", "account_id": "111122223333"}


def test_dynamodb_table_index_and_batch_resources():
    assert resource_arns("dynamodb", "PutItem", {"TableName": "orders"}, "/", **WHERE) == [
        "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
    ]
    assert resource_arns("dynamodb", "Query", {"TableName": "orders", "IndexName": "by-status"}, "/", **WHERE) == [
        "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/index/by-status"
    ]
    assert resource_arns("dynamodb", "BatchWriteItem", {"RequestItems": {"a": [], "b": []}}, "/", **WHERE) == [
        "arn:aws:dynamodb:eu-west-1:111122223333:table/a",
        "arn:aws:dynamodb:eu-west-1:111122223333:table/b",
    ]
    transact = {"TransactItems": [{"Put": {"TableName": "a"}}, {"Update": {"TableName": "b"}}, {"Delete": {"TableName": "a"}}]}
    assert resource_arns("dynamodb", "TransactWriteItems", transact, "/", **WHERE) == [
        "arn:aws:dynamodb:eu-west-1:111122223333:table/a",
        "arn:aws:dynamodb:eu-west-1:111122223333:table/b",
    ]


def test_sns_topic_resources():
    topic = "arn:aws:sns:eu-west-1:111122223333:alerts"
    assert resource_arns("sns", "Publish", {"TopicArn": topic}, "/", **WHERE) == [topic]
    assert resource_arns("sns", "Publish", {"TargetArn": topic}, "/", **WHERE) == [topic]
    assert resource_arns("sns", "CreateTopic", {"Name": "alerts"}, "/", **WHERE) == [topic]
    assert resource_arns("sns", "Unsubscribe", {"SubscriptionArn": f"{topic}:0d4f"}, "/", **WHERE) == [topic]


def test_lambda_function_from_path_and_qualifier():
    assert resource_arns("lambda", "Invoke", {}, "/2015-03-31/functions/orders/invocations", **WHERE) == [
        "arn:aws:lambda:eu-west-1:111122223333:function:orders"
    ]
    assert resource_arns("lambda", "Invoke", {"Qualifier": "live"}, "/2015-03-31/functions/orders/invocations", **WHERE) == [
        "arn:aws:lambda:eu-west-1:111122223333:function:orders:live"
    ]
    assert resource_arns("lambda", "ListFunctions", {}, "/2015-03-31/functions/", **WHERE) is None


def test_events_buses_and_rules():
    entries = {"Entries": [{"EventBusName": "orders"}, {}, {"EventBusName": "orders"}]}
    assert resource_arns("events", "PutEvents", entries, "/", **WHERE) == [
        "arn:aws:events:eu-west-1:111122223333:event-bus/orders",
        "arn:aws:events:eu-west-1:111122223333:event-bus/default",
    ]
    assert resource_arns("events", "PutRule", {"Name": "r", "EventBusName": "orders"}, "/", **WHERE) == [
        "arn:aws:events:eu-west-1:111122223333:rule/orders/r"
    ]


def test_kms_keys_and_aliases():
    assert resource_arns("kms", "Decrypt", {"KeyId": "1234"}, "/", **WHERE) == ["arn:aws:kms:eu-west-1:111122223333:key/1234"]
    assert resource_arns("kms", "Encrypt", {"KeyId": "alias/app"}, "/", **WHERE) == ["arn:aws:kms:eu-west-1:111122223333:alias/app"]


def test_unknown_services_are_left_to_moto():
    assert resource_arns("sqs", "SendMessage", {"QueueUrl": "x"}, "/", **WHERE) is None


def test_iam_action_names():
    assert iam_action_name("lambda:Invoke") == "lambda:InvokeFunction"
    assert iam_action_name("dynamodb:PutItem") == "dynamodb:PutItem"
    assert iam_action_name("monitoring:PutMetricData") == "cloudwatch:PutMetricData"

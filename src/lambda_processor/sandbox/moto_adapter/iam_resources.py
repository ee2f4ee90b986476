"""Which resource ARNs an API request acts on, as IAM evaluates them. Pure functions.

moto evaluates resources only for SQS, S3, IAM role actions and AssumeRole; every
other service is checked against ``"*"``, so a resource-scoped Allow denies and a
resource-scoped Deny does nothing. These resolvers close that gap for the services
handlers use most.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

# moto checks "<signing name>:<API operation>"; IAM's names differ for these.
IAM_ACTION_NAMES = {
    "lambda:Invoke": "lambda:InvokeFunction",
    "lambda:InvokeWithResponseStream": "lambda:InvokeFunction",
}
IAM_SERVICE_PREFIXES = {"monitoring": "cloudwatch", "email": "ses"}


def iam_action_name(action: str) -> str:
    """``service:Operation`` as IAM names it (``monitoring:PutMetricData`` -> ``cloudwatch:PutMetricData``)."""
    action = IAM_ACTION_NAMES.get(action, action)
    service, _, operation = action.partition(":")
    return f"{IAM_SERVICE_PREFIXES.get(service, service)}:{operation}"


def resource_arns(
    service: str, operation: str, params: Mapping[str, Any], path: str, *, region: str, account_id: str
) -> list[str] | None:
    """The ARNs ``operation`` touches, or None when this module does not know (moto decides).

    ``params`` is the request's parameters (the JSON body, or the query/form fields);
    ``path`` the URL path (Lambda puts the function name there).
    """
    resolver = _RESOLVERS.get(service)
    if resolver is None:
        return None
    return resolver(operation, params, path, region, account_id)


def _dynamodb(operation: str, params: Mapping[str, Any], path: str, region: str, account: str) -> list[str] | None:
    def table(name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{name}"

    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [table(name) for name in (params.get("RequestItems") or {})]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        names = []
        for item in params.get("TransactItems") or []:
            for part in item.values():
                if isinstance(part, dict) and part.get("TableName") and table(part["TableName"]) not in names:
                    names.append(table(part["TableName"]))
        return names
    name = params.get("TableName") or params.get("TableArn") or params.get("ResourceArn")
    if not name:
        return None
    if params.get("IndexName"):
        return [f"{table(name)}/index/{params['IndexName']}"]
    return [table(name)]


def _sns(operation: str, params: Mapping[str, Any], path: str, region: str, account: str) -> list[str] | None:
    if operation == "CreateTopic" and params.get("Name"):
        return [f"arn:aws:sns:{region}:{account}:{params['Name']}"]
    arn = params.get("TopicArn") or params.get("TargetArn") or params.get("ResourceArn")
    if arn:
        return [arn]
    subscription = params.get("SubscriptionArn")
    if subscription and subscription.count(":") == 6:
        return [subscription.rsplit(":", 1)[0]]  # a subscription is authorized on its topic
    return None


def _lambda(operation: str, params: Mapping[str, Any], path: str, region: str, account: str) -> list[str] | None:
    parts = path.split("/")
    if "functions" not in parts:
        return None
    index = parts.index("functions") + 1
    if index >= len(parts) or not parts[index]:
        return None
    name = unquote(parts[index])
    if not name.startswith("arn:"):
        name = f"arn:aws:lambda:{region}:{account}:function:{name}"
    qualifier = params.get("Qualifier")
    if qualifier and name.count(":") == 6:
        name = f"{name}:{qualifier}"
    return [name]


def _events(operation: str, params: Mapping[str, Any], path: str, region: str, account: str) -> list[str] | None:
    def bus(name: str | None) -> str:
        if name and name.startswith("arn:"):
            return name
        return f"arn:aws:events:{region}:{account}:event-bus/{name or 'default'}"

    if operation == "PutEvents":
        arns: list[str] = []
        for entry in params.get("Entries") or []:
            arn = bus(entry.get("EventBusName"))
            if arn not in arns:
                arns.append(arn)
        return arns or None
    if operation in ("PutRule", "DeleteRule", "DescribeRule", "EnableRule", "DisableRule", "PutTargets", "RemoveTargets"):
        rule = params.get("Name") or params.get("Rule")
        if not rule:
            return None
        bus_name = params.get("EventBusName") or "default"
        if bus_name.startswith("arn:"):
            bus_name = bus_name.rsplit("/", 1)[-1]
        prefix = "" if bus_name == "default" else f"{bus_name}/"
        return [f"arn:aws:events:{region}:{account}:rule/{prefix}{rule}"]
    return None


def _kms(operation: str, params: Mapping[str, Any], path: str, region: str, account: str) -> list[str] | None:
    key = params.get("KeyId")
    if not key:
        return None
    if key.startswith("arn:"):
        return [key]
    if key.startswith("alias/"):
        return [f"arn:aws:kms:{region}:{account}:{key}"]
    return [f"arn:aws:kms:{region}:{account}:key/{key}"]


_RESOLVERS = {"dynamodb": _dynamodb, "sns": _sns, "lambda": _lambda, "events": _events, "kms": _kms}

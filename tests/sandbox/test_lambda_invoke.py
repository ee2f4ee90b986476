"""API Invoke is served by the runtime's hook: RequestResponse, Event (202), DryRun (204), Qualifier."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from lambda_processor.sandbox import InvokeRejected, SandboxHooks


def test_request_response_runs_through_the_hook(hooks, client, make_function):
    function = make_function("orders")
    response = client("lambda").invoke(FunctionName="orders", Payload=b'{"id": 7}')
    assert response["StatusCode"] == 200
    assert response["Payload"].read() == b'{"ok": true}'
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert hooks.invocations == [
        {
            "function_name": "orders",
            "function_arn": function["FunctionArn"],
            "payload": b'{"id": 7}',
            "invocation_type": "RequestResponse",
            "qualifier": None,
            "client_context": None,
        }
    ]


def test_function_error_and_tail_log_are_returned(aws, client, make_function, recorder):
    log_tail = base64.b64encode(b"START RequestId: x\n").decode()
    hooks = recorder(invoke_result=(200, b'{"errorMessage": "boom"}', "Unhandled", log_tail))
    aws.set_hooks(SandboxHooks(invoke=hooks.invoke))
    make_function("failing")
    lam = client("lambda")

    with_tail = lam.invoke(FunctionName="failing", LogType="Tail")
    assert with_tail["FunctionError"] == "Unhandled"
    assert with_tail["LogResult"] == log_tail
    assert json.loads(with_tail["Payload"].read()) == {"errorMessage": "boom"}

    without_tail = lam.invoke(FunctionName="failing")
    assert "LogResult" not in without_tail


def test_qualifier_query_parameter_is_honoured(hooks, client, make_function):
    """moto reads ``qualifier`` in lower case and always runs $LATEST; the version must reach the runtime."""
    make_function("versioned")
    lam = client("lambda")
    version = lam.publish_version(FunctionName="versioned")["Version"]
    response = lam.invoke(FunctionName="versioned", Qualifier=version, Payload=b"{}")
    assert response["ExecutedVersion"] == version
    assert hooks.invocations[-1]["qualifier"] == version


def test_qualifier_in_the_function_name_is_passed_on(hooks, client, make_function):
    make_function("aliased")
    lam = client("lambda")
    version = lam.publish_version(FunctionName="aliased")["Version"]
    lam.create_alias(FunctionName="aliased", Name="live", FunctionVersion=version)
    lam.invoke(FunctionName="aliased:live", Payload=b"{}")
    assert hooks.invocations[-1]["qualifier"] == "live"
    assert hooks.invocations[-1]["function_name"] == "aliased"


def test_event_invocation_answers_202_with_an_empty_body(hooks, client, make_function):
    make_function("async")
    response = client("lambda").invoke(FunctionName="async", InvocationType="Event", Payload=b'{"a": 1}')
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert hooks.invocations[-1]["invocation_type"] == "Event"
    assert hooks.invocations[-1]["payload"] == b'{"a": 1}'


def test_dry_run_answers_204_without_running(hooks, client, make_function):
    make_function("dry")
    response = client("lambda").invoke(FunctionName="dry", InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert hooks.invocations == []


def test_client_context_reaches_the_hook(hooks, client, make_function):
    make_function("ctx")
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    client("lambda").invoke(FunctionName="ctx", ClientContext=context)
    assert hooks.invocations[-1]["client_context"] == context


def test_invoke_async_legacy_api_is_an_event_invocation(hooks, client, make_function):
    make_function("legacy")
    response = client("lambda").invoke_async(FunctionName="legacy", InvokeArgs=b'{"x": 1}')
    assert response["Status"] == 202
    assert hooks.invocations[-1]["invocation_type"] == "Event"


def test_unknown_function_is_resource_not_found(hooks, client):
    with pytest.raises(ClientError) as raised:
        client("lambda").invoke(FunctionName="missing")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert hooks.invocations == []


def test_without_a_runtime_invoke_fails_clearly_instead_of_trying_docker(client, make_function):
    make_function("orphan")
    lam = client("lambda")
    lam.meta.config.retries = {"max_attempts": 0}
    with pytest.raises(ClientError) as raised:
        lam.invoke(FunctionName="orphan")
    error = raised.value.response["Error"]
    assert error["Code"] == "ServiceException"
    assert "no local runtime is attached" in error["Message"]


def test_inv_13_throttled_sync_invoke_is_429_too_many_requests(aws, client, make_function):
    def throttled(**_):
        raise InvokeRejected(429, "TooManyRequestsException", "Rate Exceeded.")

    aws.set_hooks(SandboxHooks(invoke=throttled))
    make_function("busy")
    lam = client("lambda")
    with pytest.raises(ClientError) as raised:
        lam.invoke(FunctionName="busy")
    assert raised.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_moto_internal_callers_become_event_invocations(hooks, aws, make_function):
    """S3 notifications and streams reach LambdaFunction.invoke; it must enqueue through the hook."""
    from lambda_processor.sandbox import backend_lock
    from lambda_processor.sandbox.moto_adapter.direct import lambda_backend

    make_function("internal")
    with backend_lock:
        function = lambda_backend(aws.account_id, aws.region).get_function("internal")
        function.invoke(json.dumps({"Records": []}), {}, {})
    assert hooks.invocations[-1]["invocation_type"] == "Event"
    assert hooks.invocations[-1]["payload"] == b'{"Records": []}'

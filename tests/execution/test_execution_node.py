"""Node.js execution environments (INV-33, INV-51): same protocol, Node's conventions."""

from __future__ import annotations

import json
import re

import pytest
from execution_fixtures import NODE_HANDLERS

pytestmark = pytest.mark.usefixtures("node_required")


def node_runtime(make_runtime, handler: str, **overrides):
    return make_runtime(handler, runtime="nodejs20.x", code_dir=NODE_HANDLERS, **overrides)


def payload_of(result):
    return json.loads(result.payload)


def test_commonjs_async_handler_keeps_module_state_warm(make_runtime):
    runtime = node_runtime(make_runtime, "index.counter")
    results = [runtime.invoke(b"{}") for _ in range(3)]
    assert [payload_of(r)["invocations"] for r in results] == [1, 2, 3]
    assert results[0].cold_start and not results[2].cold_start
    assert results[0].log_lines[0].endswith("\tundefined\tINFO\tcold start of index.js")


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("esm.handler", {"esm": True, "invocations": 1, "value": 7}),
        ("commonjs.handler", {"cjs": True}),
        ("esm_pkg/app.handler", {"typeModule": True}),
        ("src/deep.handler", {"subdirectory": True}),
        ("index.nested.inner", "nested handler"),
    ],
)
def test_inv_51_handler_files_and_module_kinds(make_runtime, handler, expected):
    result = node_runtime(make_runtime, handler).invoke(b'{"value": 7}')
    assert result.function_error is None, result.payload
    assert payload_of(result) == expected


def test_callback_style_handler(make_runtime):
    result = node_runtime(make_runtime, "index.callbackStyle").invoke(b'{"value": "cb"}')
    assert payload_of(result) == {"viaCallback": "cb"}


def test_callback_error_and_rejected_promise_are_unhandled_errors(make_runtime):
    callback = node_runtime(make_runtime, "index.callbackError").invoke(b"{}")
    assert callback.function_error == "Unhandled"
    assert payload_of(callback)["errorType"] == "Error"
    assert payload_of(callback)["errorMessage"] == "callback failed"
    rejected = node_runtime(make_runtime, "index.rejects").invoke(b"{}")
    body = payload_of(rejected)
    assert (body["errorType"], body["errorMessage"]) == ("TypeError", "async failure")
    assert body["trace"][0] == "TypeError: async failure"
    assert not any("node_worker.js" in line for line in body["trace"])
    assert any("\tERROR\tInvoke Error \t" in line for line in rejected.log_lines)


def test_inv_33_context_fields_and_environment(make_runtime):
    runtime = node_runtime(make_runtime, "index.describeContext", memory_size=192,
                           endpoint_url="http://127.0.0.1:45678")
    result = runtime.invoke(b"{}")
    ctx = payload_of(result)
    assert ctx["functionName"] == "orders-fn"
    assert ctx["functionVersion"] == "$LATEST"
    assert ctx["invokedFunctionArn"] == runtime.spec.arn
    assert ctx["memoryLimitInMB"] == "192"
    assert ctx["awsRequestId"] == result.request_id
    assert ctx["logGroupName"] == "/aws/lambda/orders-fn"
    assert ctx["logStreamName"] == result.log_stream
    assert 0 < ctx["remaining"] <= 5000
    assert ctx["env"]["AWS_ENDPOINT_URL"] == "http://127.0.0.1:45678"
    assert ctx["env"]["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs20.x"
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", ctx["env"]["_X_AMZN_TRACE_ID"])


def test_console_lines_carry_timestamp_request_id_and_level(make_runtime):
    result = node_runtime(make_runtime, "index.logs").invoke(b"{}")
    rid = result.request_id
    start = result.log_lines.index(f"START RequestId: {rid} Version: $LATEST")  # init output comes first
    body = result.log_lines[start + 1 : -2]
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{rid}\tINFO\thello world", body[0])
    assert body[1].endswith(f"\t{rid}\tERROR\tbad thing")
    assert body[2] == "raw write"


def test_require_resolves_through_runtime_provided_node_path(make_runtime, tmp_path):
    package = tmp_path / "node_modules" / "fake-sdk"
    package.mkdir(parents=True)
    (package / "index.js").write_text("module.exports = { name: 'fake sdk from the runtime dir' };\n")
    runtime = node_runtime(make_runtime, "index.usesSdk", extra_node_path=tmp_path / "node_modules")
    assert payload_of(runtime.invoke(b"{}")) == "fake sdk from the runtime dir"


def test_require_resolves_through_a_layer(make_runtime, tmp_path):
    package = tmp_path / "layer" / "nodejs" / "node_modules" / "fake-sdk"
    package.mkdir(parents=True)
    (package / "index.js").write_text("module.exports = { name: 'fake sdk from a layer' };\n")
    runtime = node_runtime(make_runtime, "index.usesSdk", layer_dirs=(tmp_path / "layer",))
    assert payload_of(runtime.invoke(b"{}")) == "fake sdk from a layer"


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        ("index", "Runtime.MalformedHandlerName", "Bad handler"),
        ("nothing_here.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nothing_here'"),
        ("index.missing", "Runtime.HandlerNotFound", "index.missing is undefined or not exported"),
        ("index.notAFunction", "Runtime.HandlerNotFound", "index.notAFunction is not a function"),
        ("broken.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: "),
    ],
)
def test_inv_51_init_errors(make_runtime, handler, error_type, message):
    runtime = node_runtime(make_runtime, handler)
    result = runtime.invoke(b"{}")
    assert result.function_error == "Unhandled"
    assert result.error_type == error_type
    assert result.error_message.startswith(message)
    assert payload_of(result)["errorType"] == error_type
    assert runtime.environments == 0


def test_node_timeout_kills_and_replaces(make_runtime, tmp_path):
    (tmp_path / "slow.js").write_text("exports.handler = () => new Promise(() => {});\n")
    runtime = make_runtime("slow.handler", runtime="nodejs20.x", code_dir=tmp_path, timeout=1)
    result = runtime.invoke(b"{}")
    assert result.error_type == "Sandbox.Timedout"
    assert runtime.environments == 0


def test_uncaught_exception_outside_the_handler_ends_the_runtime(make_runtime):
    runtime = node_runtime(make_runtime, "index.throwsLater")
    result = runtime.invoke(b"{}")
    assert result.error_type == "Runtime.ExitError"
    assert result.error_message.startswith(f"RequestId: {result.request_id} Error: Runtime exited with error: exit status")
    assert any("\tERROR\tUncaught Exception \t" in line and "thrown outside the handler" in line
               for line in result.log_lines)
    assert runtime.environments == 0


def test_node_memory_limit_exceeded_kills_the_worker(make_runtime):
    runtime = node_runtime(make_runtime, "index.hog", memory_size=128)
    result = runtime.invoke(b'{"mb": 200, "hold": 2000}')
    assert result.error_type == "Runtime.OutOfMemory"
    assert node_runtime(make_runtime, "index.hog", memory_size=128).invoke(b'{"mb": 1, "hold": 0}').function_error is None

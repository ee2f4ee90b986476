"""Python execution environments: warm reuse, handler resolution, context, env, errors, logs."""

from __future__ import annotations

import base64
import json
import re
import time

import pytest
from execution_fixtures import PYTHON_HANDLERS, REGION

from lambda_processor.execution import InvalidClientContext


def payload_of(result):
    return json.loads(result.payload)


# ----------------------------------------------------------------------------- warm and cold


def test_inv_20_warm_invocations_reuse_module_globals(make_runtime):
    runtime = make_runtime("app.counter")
    results = [runtime.invoke(b"{}") for _ in range(3)]
    assert [payload_of(r)["invocations"] for r in results] == [1, 2, 3]
    assert len({payload_of(r)["pid"] for r in results}) == 1
    assert runtime.cold_starts == 1 and runtime.environments == 1


def test_inv_20_init_duration_only_on_the_cold_start(make_runtime):
    runtime = make_runtime("app.counter")
    cold, warm = runtime.invoke(b"{}"), runtime.invoke(b"{}")
    assert cold.cold_start and cold.init_duration_ms is not None and cold.init_duration_ms > 0
    assert not warm.cold_start and warm.init_duration_ms is None
    assert "\tInit Duration: " in cold.log_lines[-1]
    assert "Init Duration" not in warm.log_lines[-1]


def test_log_lines_frame_each_invocation_with_start_end_report(make_runtime):
    sunk = []
    runtime = make_runtime("app.counter", memory_size=512, log_sink=lambda *args: sunk.append(args))
    result = runtime.invoke(b"{}", request_id="11111111-2222-3333-4444-555555555555")
    rid = result.request_id
    assert result.log_lines[0] == f"START RequestId: {rid} Version: $LATEST"
    assert result.log_lines[-2] == f"END RequestId: {rid}"
    report = result.log_lines[-1]
    assert re.fullmatch(
        rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB"
        r"\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms",
        report,
    )
    assert result.billed_duration_ms >= result.duration_ms
    assert 0 < result.max_memory_used_mb < 512
    assert sunk == [("/aws/lambda/orders-fn", result.log_stream, list(zip(result.log_timestamps_ms, result.log_lines)))]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", result.log_stream)


# ----------------------------------------------------------------------------- handler strings (INV-50)


@pytest.mark.parametrize(
    ("handler", "module"),
    [("nested/app.handler", "nested.app"), ("pkg.mod.fn", "pkg.mod"), ("nested.app.handler", "nested.app")],
)
def test_inv_50_handler_strings_resolve_like_aws(make_runtime, handler, module):
    result = make_runtime(handler).invoke(b"{}")
    assert result.function_error is None
    assert payload_of(result) == {"module": module}


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        ("app", "Runtime.MalformedHandlerName", "Bad handler 'app': not enough values to unpack (expected 2, got 1)"),
        ("missing_module.handler", "Runtime.ImportModuleError",
         "Unable to import module 'missing_module': No module named 'missing_module'"),
        ("broken_import.handler", "Runtime.ImportModuleError",
         "Unable to import module 'broken_import': No module named 'module_that_does_not_exist'"),
        ("app.no_such_function", "Runtime.HandlerNotFound", "Handler 'no_such_function' missing on module 'app'"),
        ("broken_syntax.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'broken_syntax': "),
        ("sys.handler", "Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module"),
        ("raises_at_import.handler", "RuntimeError", "config missing at import time"),
    ],
)
def test_inv_50_init_errors_are_reported_on_the_invocation(make_runtime, handler, error_type, message):
    runtime = make_runtime(handler)
    result = runtime.invoke(b"{}")
    assert result.function_error == "Unhandled"
    assert result.error_type == error_type
    assert result.error_message.startswith(message)
    body = payload_of(result)
    assert body["errorType"] == error_type and body["errorMessage"] == result.error_message
    assert body["requestId"] == result.request_id
    assert any(line.startswith(f"[ERROR] {error_type}: ") for line in result.log_lines)
    assert runtime.environments == 0  # a failed init leaves no environment behind
    runtime.invoke(b"{}")
    assert runtime.cold_starts == 2  # ...so the next invocation initialises again


def test_output_printed_during_init_precedes_start_of_the_cold_invocation(make_runtime):
    result = make_runtime("init_output.handler").invoke(b"{}")
    assert result.log_lines[0] == "printed during init"
    assert result.log_lines[1].startswith("START RequestId:")
    assert result.log_lines[2] == "printed during invoke"


# ----------------------------------------------------------------------------- context and env


def test_inv_30_31_context_fields(make_runtime):
    runtime = make_runtime("app.describe_context", memory_size=384, timeout=7)
    qualified = runtime.spec.arn + ":prod"
    result = runtime.invoke(b"{}", invoked_arn=qualified)
    ctx = payload_of(result)
    assert ctx["function_name"] == "orders-fn"
    assert ctx["function_version"] == "$LATEST"
    assert ctx["invoked_function_arn"] == qualified
    assert ctx["memory_limit_in_mb"] == "384"  # a string, as in the official runtime (INV-31)
    assert ctx["aws_request_id"] == result.request_id
    assert ctx["log_group_name"] == "/aws/lambda/orders-fn"
    assert ctx["log_stream_name"] == result.log_stream
    assert ctx["identity_id"] is None
    assert ctx["client_custom"] is None
    assert 0 < ctx["remaining_ms"] <= 7000


def test_inv_30_invoked_arn_defaults_to_the_function_arn(make_runtime):
    runtime = make_runtime("app.describe_context")
    assert payload_of(runtime.invoke(b"{}"))["invoked_function_arn"] == runtime.spec.arn


def test_inv_30_client_context_from_base64_json(make_runtime):
    context = {"client": {"app_title": "shop"}, "custom": {"tenant": "t-1"}, "env": {}}
    encoded = base64.b64encode(json.dumps(context).encode()).decode()
    ctx = payload_of(make_runtime("app.describe_context").invoke(b"{}", client_context=encoded))
    assert ctx["client_custom"] == {"tenant": "t-1"}
    assert ctx["client_app_title"] == "shop"


def test_invalid_client_context_is_rejected_before_running(make_runtime):
    runtime = make_runtime("app.describe_context")
    with pytest.raises(InvalidClientContext):
        runtime.invoke(b"{}", client_context="not-json-at-all")
    assert runtime.cold_starts == 0


def test_inv_40_environment_variables(make_runtime):
    runtime = make_runtime(
        "app.describe_context",
        memory_size=320,
        endpoint_url="http://127.0.0.1:45678",
        credentials=("ASIAROLE", "role-secret", "role-token"),
    )
    result = runtime.invoke(b"{}")
    env = payload_of(result)["env"]
    assert env["_HANDLER"] == "app.describe_context"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == REGION
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "orders-fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "320"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/orders-fn"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == result.log_stream
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]) == (
        "ASIAROLE", "role-secret", "role-token")
    assert env["LAMBDA_TASK_ROOT"] == str(PYTHON_HANDLERS)
    assert env["LAMBDA_RUNTIME_DIR"]
    assert env["TZ"] == ":UTC" and env["LANG"] == "en_US.UTF-8"
    assert env["AWS_XRAY_CONTEXT_MISSING"] == "LOG_ERROR"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:45678"
    assert env["GREETING"] == "hello"
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", env["_X_AMZN_TRACE_ID"])
    assert result.trace_id is None
    assert payload_of(result)["cwd"] == str(PYTHON_HANDLERS)
    assert payload_of(result)["sys_path_head"][0] == str(PYTHON_HANDLERS)


def test_inv_40_trace_id_changes_per_invocation_and_is_sampled_when_active(make_runtime):
    runtime = make_runtime("app.describe_context", tracing_mode="Active")
    first, second = runtime.invoke(b"{}"), runtime.invoke(b"{}")
    header = payload_of(first)["env"]["_X_AMZN_TRACE_ID"]
    assert header.startswith(f"Root={first.trace_id};") and header.endswith(";Sampled=1")
    assert first.trace_id != second.trace_id
    assert f"\nXRAY TraceId: {first.trace_id}\tSegmentId: " in first.log_lines[-1]
    assert first.log_lines[-1].endswith("\tSampled: true")


def test_layers_are_importable(make_runtime, tmp_path):
    layer = tmp_path / "layer"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "layer_helper.py").write_text("VALUE = 'from the layer'\n")
    result = make_runtime("uses_layer.handler", layer_dirs=(layer,)).invoke(b"{}")
    assert payload_of(result) == {"from_layer": "from the layer"}


# ----------------------------------------------------------------------------- payloads and errors


def test_event_arrives_as_parsed_json_and_result_is_serialised(make_runtime):
    runtime = make_runtime("app.echo")
    event = {"Records": [{"body": "é ☃", "n": 1.5}]}
    result = runtime.invoke(json.dumps(event).encode())
    assert result.function_error is None and payload_of(result) == event


def test_none_result_is_json_null(make_runtime):
    assert make_runtime("app.returns_none").invoke(b"{}").payload == b"null"


def test_decimal_result_is_serialised_as_a_number(make_runtime):
    assert payload_of(make_runtime("app.returns_decimal").invoke(b"{}")) == {"price": 12.5}


def test_unserialisable_result_is_a_marshal_error(make_runtime):
    result = make_runtime("app.unserializable").invoke(b"{}")
    assert result.function_error == "Unhandled" and result.error_type == "Runtime.MarshalError"
    assert result.error_message.startswith("Unable to marshal response: Object of type object")


def test_non_json_event_is_an_unmarshal_error(make_runtime):
    result = make_runtime("app.echo").invoke(b"{not json")
    assert result.error_type == "Runtime.UnmarshalError"
    assert result.error_message.startswith("Unable to unmarshal input:")


def test_inv_3_unhandled_exception_payload_shape(make_runtime):
    runtime = make_runtime("app.boom")
    result = runtime.invoke(b'{"why": "bad order"}')
    assert result.function_error == "Unhandled"
    body = payload_of(result)
    assert set(body) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert body["errorMessage"] == "boom: bad order" and body["errorType"] == "ValueError"
    assert body["requestId"] == result.request_id
    assert len(body["stackTrace"]) == 1 and "app.py" in body["stackTrace"][0] and "in boom" in body["stackTrace"][0]
    error_line = next(line for line in result.log_lines if line.startswith("[ERROR]"))
    assert error_line.startswith("[ERROR] ValueError: boom: bad order\rTraceback (most recent call last):\r")
    # An exception does not cost the environment: the next invoke is warm (INV-3 vs INV-2).
    assert not runtime.invoke(b'{"why": 1}').cold_start


# ----------------------------------------------------------------------------- handler output


def test_print_and_logging_are_captured_in_order_without_breaking_the_protocol(make_runtime):
    result = make_runtime("app.chatty").invoke(b"{}")
    assert result.payload == b'"done"'
    body = list(result.log_lines[1:-2])
    assert body[0] == "plain print"
    assert re.fullmatch(
        rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{result.request_id}\tinfo via logging", body[1]
    )
    assert body[2:4] == ["to stderr", "raw fd write"]
    assert body[4].startswith("[WARNING]\t") and body[4].endswith(f"\t{result.request_id}\tmulti\rline")
    assert body[5] == "no newline at the end"
    assert len(body) == 6  # debug is below the root logger's level


def test_huge_output_is_captured_whole_and_long_lines_split(make_runtime):
    runtime = make_runtime("app.huge_output", timeout=30)
    result = runtime.invoke(json.dumps({"lines": 20000, "long_line_bytes": 600 * 1024}).encode())
    assert payload_of(result) == {"ok": True}
    body = result.log_lines[1:-2]
    assert body[0].startswith("line 000000 ") and body[19999].startswith("line 019999 ")
    assert [len(chunk) for chunk in body[20000:]] == [256 * 1024, 256 * 1024, 88 * 1024]
    assert payload_of(runtime.invoke(json.dumps({"lines": 1, "long_line_bytes": 1}).encode())) == {"ok": True}


def test_output_written_between_invocations_arrives_with_the_next_one(make_runtime, tmp_path):
    done = tmp_path / "printed"
    runtime = make_runtime("app.background_printer")
    event = json.dumps({"done": str(done)}).encode()
    first = runtime.invoke(event)
    assert "printed by a background thread after the handler returned" not in first.log_lines
    deadline = time.monotonic() + 10
    while not done.exists():  # synchronisation, not a timing assertion
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second = runtime.invoke(json.dumps({"done": str(tmp_path / "again")}).encode())
    assert "printed by a background thread after the handler returned" in second.log_lines[:2]


def test_response_over_6_mb_is_a_function_error(make_runtime):
    runtime = make_runtime("app.big_response")
    fits = runtime.invoke(json.dumps({"bytes": 6_000_000}).encode())
    assert fits.function_error is None and len(fits.payload) == 6_000_002
    result = runtime.invoke(json.dumps({"bytes": 6_300_000}).encode())
    assert result.function_error == "Unhandled"
    assert result.error_type == "Function.ResponseSizeTooLarge"
    assert payload_of(result)["errorMessage"] == (
        "Response payload size (6300002 bytes) exceeded maximum allowed payload size (6291556 bytes)."
    )
    assert not runtime.invoke(json.dumps({"bytes": 1}).encode()).cold_start  # the environment survives

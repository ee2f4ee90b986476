"""Pure pieces of the execution package: names, ids, log lines, env, frames, limits."""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

import pytest
from execution_fixtures import function_spec

from lambda_processor.execution import ConcurrencyLimiter, InvalidClientContext, decode_client_context
from lambda_processor.execution.frames import FrameDecoder, encode_frame
from lambda_processor.execution.identifiers import iso_timestamp, log_stream_name, trace_context
from lambda_processor.execution.launch import node_path, python_sys_path, worker_launch
from lambda_processor.execution.model import RuntimeUnavailable
from lambda_processor.execution.report_lines import (
    billed_duration_ms,
    describe_exit,
    report_line,
    timeout_log_line,
    timeout_message,
)
from lambda_processor.execution.reserved_env import worker_environment

JAN_14_2020 = 1578960000.0  # 2020-01-14T00:00:00Z


def test_inv_32_log_stream_name_is_date_version_and_32_hex():
    name = log_stream_name(JAN_14_2020, "425d2a3419de4db38f86fc1896cc1cc1")
    assert name == "2020/01/14/[$LATEST]425d2a3419de4db38f86fc1896cc1cc1"


def test_inv_32_log_group_is_aws_lambda_slash_name():
    assert function_spec("app.counter", name="orders").log_group == "/aws/lambda/orders"


def test_inv_40_trace_header_format_sampled_and_not():
    traced = trace_context(JAN_14_2020, "a" * 24, "b" * 16, sampled=True)
    assert traced.header == f"Root=1-5e1d0480-{'a' * 24};Parent={'b' * 16};Sampled=1"
    assert trace_context(JAN_14_2020, "a" * 24, "b" * 16, sampled=False).header.endswith("Sampled=0")


def test_iso_timestamp_has_milliseconds_and_z():
    assert iso_timestamp(JAN_14_2020 + 1.5) == "2020-01-14T00:00:01.500Z"


def test_billed_duration_rounds_up_to_the_millisecond():
    assert billed_duration_ms(12.01) == 13
    assert billed_duration_ms(12.0) == 12
    assert billed_duration_ms(0.2) == 1


def test_report_line_has_init_duration_only_when_given():
    warm = report_line("r1", duration_ms=12.345, memory_size_mb=512, max_memory_used_mb=40, init_duration_ms=None)
    assert warm == (
        "REPORT RequestId: r1\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 40 MB"
    )
    cold = report_line("r1", duration_ms=1, memory_size_mb=512, max_memory_used_mb=40, init_duration_ms=150.123)
    assert cold.endswith("\tInit Duration: 150.12 ms")


def test_report_line_appends_xray_part_when_sampled():
    trace = trace_context(JAN_14_2020, "c" * 24, "d" * 16, sampled=True)
    line = report_line("r1", duration_ms=1, memory_size_mb=128, max_memory_used_mb=20, init_duration_ms=None,
                       trace=trace, segment_id="e" * 16)
    assert line.endswith(f"\nXRAY TraceId: {trace.root}\tSegmentId: {'e' * 16}\tSampled: true")
    unsampled = trace_context(JAN_14_2020, "c" * 24, "d" * 16, sampled=False)
    assert "XRAY" not in report_line("r1", duration_ms=1, memory_size_mb=128, max_memory_used_mb=20,
                                     init_duration_ms=None, trace=unsampled)


def test_inv_2_timeout_message_and_log_line():
    assert timeout_message("abc", 3) == "RequestId: abc Error: Task timed out after 3.00 seconds"
    assert timeout_log_line("abc", 1, JAN_14_2020) == "2020-01-14T00:00:00.000Z abc Task timed out after 1.00 seconds"


def test_exit_descriptions_match_lambda_wording():
    assert describe_exit(1) == "exit status 1"
    assert describe_exit(-9) == "signal: killed"
    assert describe_exit(-6) == "signal: aborted"


def test_inv_40_reserved_variables_override_function_variables(tmp_path):
    spec = function_spec(
        "app.counter",
        environment={"AWS_REGION": "mars-1", "GREETING": "hi"},
        endpoint_url="http://127.0.0.1:4566",
        credentials=("AKIAROLE", "secret", "token"),
        code_dir=tmp_path,
    )
    env = worker_environment(spec, log_stream="s", runtime_dir=Path("/rt"),
                             parent_environment={"PATH": "/bin", "AWS_PROFILE": "prod", "HOME": "/root"})
    assert env["AWS_REGION"] == "eu-west-1"
    assert env["GREETING"] == "hi"
    assert env["PATH"] == "/bin"
    assert "AWS_PROFILE" not in env and "HOME" not in env  # a clean environment, as in Lambda
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]) == (
        "AKIAROLE", "secret", "token")
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert env["LAMBDA_TASK_ROOT"] == str(tmp_path)
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"


def test_default_credentials_are_test_and_no_endpoint_without_sandbox():
    env = worker_environment(function_spec("app.counter"), log_stream="s", runtime_dir=Path("/rt"),
                             parent_environment={})
    assert env["AWS_ACCESS_KEY_ID"] == "test" and env["AWS_SECRET_ACCESS_KEY"] == "test"
    assert "AWS_ENDPOINT_URL" not in env


def test_frames_round_trip_split_at_every_byte():
    stream = encode_frame({"type": "invoke", "n": 1}, b"\x00body\xff") + encode_frame({"type": "x"})
    decoder = FrameDecoder()
    frames = []
    for index in range(len(stream)):
        frames.extend(decoder.feed(stream[index : index + 1]))
    assert frames == [({"type": "invoke", "n": 1}, b"\x00body\xff"), ({"type": "x"}, b"")]


def test_python_sys_path_task_root_first_then_layers_last_layer_first(tmp_path):
    first, second = tmp_path / "l1", tmp_path / "l2"
    spec = function_spec("app.counter", code_dir=tmp_path / "code", layer_dirs=(first, second))
    paths = python_sys_path(spec)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert paths[0] == str(tmp_path / "code")
    assert paths[1:3] == [str(second / "python" / "lib" / version / "site-packages"), str(second / "python")]
    assert paths[-1] == str(first / "python")


def test_node_path_has_layer_modules_runtime_modules_and_task_root(tmp_path):
    spec = function_spec("index.handler", runtime="nodejs20.x", code_dir=tmp_path / "code", layer_dirs=(tmp_path / "l1",))
    entries = node_path(spec, tmp_path / "sdk" / "node_modules").split(":")
    assert entries == [
        str(tmp_path / "l1" / "nodejs" / "node20" / "node_modules"),
        str(tmp_path / "l1" / "nodejs" / "node_modules"),
        str(tmp_path / "sdk" / "node_modules"),
        str(tmp_path / "code"),
    ]


def test_unsupported_runtime_is_reported_by_name():
    with pytest.raises(RuntimeUnavailable, match="java21"):
        worker_launch(function_spec("com.Example::handle", runtime="java21"))


def test_client_context_accepts_base64_and_plain_json_and_rejects_garbage():
    context = {"custom": {"k": "v"}}
    assert decode_client_context(base64.b64encode(json.dumps(context).encode()).decode()) == context
    assert decode_client_context(json.dumps(context)) == context
    assert decode_client_context(None) is None
    with pytest.raises(InvalidClientContext, match="Base64-encoded JSON"):
        decode_client_context("%%% not json")


def test_limiter_counts_and_refuses_past_its_limit():
    limiter = ConcurrencyLimiter(2)
    assert limiter.try_acquire() and limiter.try_acquire()
    assert not limiter.try_acquire()
    limiter.release()
    assert limiter.in_use == 1 and limiter.try_acquire()
    assert ConcurrencyLimiter(0).try_acquire() is False
    unlimited = ConcurrencyLimiter(None)
    assert all(unlimited.try_acquire() for _ in range(5000))


def test_limiter_release_without_acquire_is_a_bug():
    with pytest.raises(RuntimeError, match="without a matching"):
        ConcurrencyLimiter(1).release()


def test_request_ids_in_trace_root_are_hex():
    trace = trace_context(JAN_14_2020, "0123456789abcdef01234567", "0123456789abcdef", sampled=True)
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", trace.root)


def test_log_splitter_separates_lines_from_end_markers():
    from lambda_processor.execution.log_capture import LogLineSplitter

    splitter = LogLineSplitter()
    lines, markers = splitter.feed(b"first\nsec", 1)
    assert (lines, markers) == ([(1, "first")], [])
    lines, markers = splitter.feed(b"ond\npartial\x1eLPEND req-1\x1e\nnext", 2)
    assert lines == [(2, "second"), (2, "partial")]
    assert markers == ["req-1"]
    assert splitter.flush(3) == [(3, "next")]
    assert splitter.flush(4) == []


def test_log_splitter_cuts_lines_at_the_cloudwatch_event_size():
    from lambda_processor.execution.log_capture import MAX_LINE_BYTES, LogLineSplitter

    splitter = LogLineSplitter()
    lines, _ = splitter.feed(b"a" * (MAX_LINE_BYTES + 10), 1)  # no newline yet: the full chunk is emitted
    assert [len(text) for _, text in lines] == [MAX_LINE_BYTES]
    lines, _ = splitter.feed(b"\n", 2)
    assert [text for _, text in lines] == ["a" * 10]
    lines, _ = splitter.feed("é\n".encode() + b"\xff\n", 3)
    assert [text for _, text in lines] == ["é", "\ufffd"]


def test_node_worker_gets_the_aws_heap_limit(node_required):
    from lambda_processor.execution.launch import node_heap_limit_mb

    assert node_heap_limit_mb(1024) == 921
    command = worker_launch(function_spec("index.handler", runtime="nodejs20.x", memory_size=512)).command(5, 6)
    assert command[1] == "--max-old-space-size=460" and command[2].endswith("node_worker.js")
    assert command[3:5] == ["5", "6"]


def test_pipes_are_watched_with_poll_so_fd_numbers_past_1024_work():
    import os
    import resource

    from lambda_processor.execution.environment import _wait_readable

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= 1500:
        pytest.skip(f"RLIMIT_NOFILE is {soft}: cannot open fd 1500 here")
    read_end, write_end = os.pipe()
    high = os.dup2(read_end, 1500)
    try:
        assert _wait_readable([high], 0.0) == []
        os.write(write_end, b"x")
        assert _wait_readable([high], 1.0) == [high]
    finally:
        for fd in (read_end, write_end, high):
            os.close(fd)

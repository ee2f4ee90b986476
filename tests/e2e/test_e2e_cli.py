"""The CLI as a user runs it, in subprocesses, against fixtures/echo (one function, one queue):
``up DIR --port N``, then ``status``, ``send`` (by output name, queue name and ARN), ``invoke``,
``logs`` and ``down``. ``up`` must exit 0, remove its state file and leave no worker behind.

The tests share one ``up`` process and run in file order; the last one stops it. conftest.py
starts that process when the session begins and runs this module last, so the apply overlaps
the other modules' work.
"""

from __future__ import annotations

import json

import psutil
import pytest
from cli_support import READY_LINE, UpProcess, run_cli
from e2e_support import require_terraform, wait_until

from lambda_processor.client import SandboxClient, state_file

pytestmark = pytest.mark.e2e

FUNCTION_NAME = "cli-dev-echo"


@pytest.fixture(scope="module")
def up(background_cli_up: UpProcess | None) -> UpProcess:
    """``lambda-processor up fixtures/echo --port N``, started by conftest.py when the session began."""
    require_terraform()
    assert background_cli_up is not None, "conftest.py starts `up` whenever a CLI test is selected"
    background_cli_up.wait_ready()
    return background_cli_up


def test_up_prints_the_endpoint_and_outputs_and_keeps_a_state_file(up):
    assert f"{READY_LINE} at {up.endpoint}" in up.output
    assert "inbox_url" in up.output and FUNCTION_NAME in up.output
    state = json.loads(state_file(up.config_dir).read_text())
    assert state["endpoint"] == up.endpoint
    assert state["pid"] == up.process.pid


def test_status_by_endpoint_and_by_state_file_lists_the_function(up):
    by_endpoint = run_cli("status", "--endpoint", up.endpoint)
    by_state_file = run_cli("status", "--dir", str(up.config_dir))
    for result in (by_endpoint, by_state_file):
        assert result.returncode == 0, result.stderr
        assert FUNCTION_NAME in result.stdout
        assert up.endpoint in result.stdout


def test_send_by_output_name_queue_name_and_arn_reaches_the_function(up):
    arn = SandboxClient(up.endpoint).outputs()["inbox_arn"]
    sends = [("inbox_url", "by-output", 3), ("echo-inbox", "by-name", 1), (arn, "by-arn", 2)]
    for queue, body, count in sends:
        result = run_cli("send", queue, body, "--count", str(count), "--endpoint", up.endpoint)
        assert result.returncode == 0, result.stderr
        assert f"sent {count} message(s)" in result.stdout
    from_stdin = run_cli("send", "echo-inbox", "--endpoint", up.endpoint, stdin="from-stdin")
    assert from_stdin.returncode == 0, from_stdin.stderr

    expected = {"received by-output": 3, "received by-name": 1, "received by-arn": 2, "received from-stdin": 1}
    seen: dict[str, int] = {}

    def all_received() -> bool:
        result = run_cli("logs", FUNCTION_NAME, "--endpoint", up.endpoint)
        lines = [line.split("  ", 1)[-1] for line in result.stdout.splitlines()]
        seen.clear()
        seen.update({text: lines.count(text) for text in expected})
        return seen == expected

    wait_until(all_received, lambda: f"log lines seen {seen}, expected {expected}", interval=1.0)


def test_logs_show_start_end_report_lines(up):
    result = run_cli("logs", FUNCTION_NAME, "--endpoint", up.endpoint)
    assert result.returncode == 0, result.stderr
    for marker in ("START RequestId:", "END RequestId:", "REPORT RequestId:", "Init Duration:"):
        assert marker in result.stdout, marker


def test_invoke_returns_the_handler_payload(up):
    result = run_cli("invoke", FUNCTION_NAME, '{"hello": "world"}', "--endpoint", up.endpoint)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"echo": {"hello": "world"}, "function": FUNCTION_NAME}
    assert "REPORT RequestId:" in result.stderr  # the log tail


def test_send_to_an_unknown_queue_fails_with_one_line_naming_it(up):
    result = run_cli("send", "no-such-queue", "hello", "--endpoint", up.endpoint)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no-such-queue" in lines[0] and "unknown queue" in lines[0]


@pytest.mark.parametrize("command", [["invoke", "no-such-function", "{}"], ["logs", "no-such-function"]])
def test_an_unknown_function_fails_with_one_line_naming_it(up, command):
    result = run_cli(*command, "--endpoint", up.endpoint)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no-such-function" in lines[0], result.stderr


def test_status_without_a_running_sandbox_fails_with_one_line_saying_how_to_start_one(tmp_path):
    result = run_cli("status", "--dir", str(tmp_path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "lambda-processor up" in lines[0], result.stderr


def test_down_stops_up_cleanly_with_no_worker_left(up):
    descendants = psutil.Process(up.process.pid).children(recursive=True)
    workers = [p for p in descendants if any("python_worker" in part for part in p.cmdline())]
    assert workers, "the sends and the invoke left warm workers running"

    result = run_cli("down", "--endpoint", up.endpoint)
    assert result.returncode == 0, result.stderr
    assert up.process.wait(timeout=60) == 0, up.describe()
    assert not state_file(up.config_dir).exists()
    gone, alive = psutil.wait_procs(descendants, timeout=10)  # workers and anything else up started
    assert alive == [], [(p.pid, p.cmdline()) for p in alive]

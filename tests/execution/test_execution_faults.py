"""Timeouts, crashes, memory limits and shutdown: the environment is lost and replaced."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import psutil
import pytest

from lambda_processor.execution import EnvironmentClosed


def payload_of(result):
    return json.loads(result.payload)


def gone(pid: int) -> bool:
    """True once ``pid`` no longer runs (a zombie awaiting its reaper counts as gone)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_inv_2_timeout_kills_the_worker_and_reports_sandbox_timedout(make_runtime):
    runtime = make_runtime("app.sleepy", timeout=1)
    warm = payload_of(runtime.invoke(b'{"seconds": 0}'))
    result = runtime.invoke(b'{"seconds": 30}')
    assert result.function_error == "Unhandled"
    assert result.error_type == "Sandbox.Timedout"
    assert payload_of(result) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds",
    }
    assert result.duration_ms == 1000.0
    assert any(line.endswith(f" {result.request_id} Task timed out after 1.00 seconds") for line in result.log_lines)
    assert result.log_lines[-2] == f"END RequestId: {result.request_id}"
    assert gone(warm["pid"])


def test_inv_2_next_invocation_after_a_timeout_gets_a_fresh_environment(make_runtime):
    sleepy = make_runtime("app.sleepy", timeout=1)
    assert sleepy.invoke(b'{"seconds": 30}').error_type == "Sandbox.Timedout"
    after = sleepy.invoke(b'{"seconds": 0}')
    assert after.function_error is None and after.cold_start
    assert sleepy.cold_starts == 2 and sleepy.environments == 1


def test_worker_calling_os_exit_is_a_runtime_exit_error(make_runtime):
    runtime = make_runtime("app.exit_one")
    result = runtime.invoke(b"{}")
    assert result.function_error == "Unhandled" and result.error_type == "Runtime.ExitError"
    expected = f"RequestId: {result.request_id} Error: Runtime exited with error: exit status 1"
    assert result.error_message == expected
    assert payload_of(result) == {"errorType": "Runtime.ExitError", "errorMessage": expected}
    assert "about to exit" in result.log_lines  # output before the crash is kept
    assert expected in result.log_lines
    assert runtime.environments == 0


def test_sys_exit_in_a_handler_ends_the_runtime_process(make_runtime):
    result = make_runtime("app.sys_exit").invoke(b"{}")
    assert result.error_type == "Runtime.ExitError"
    assert result.error_message.endswith("Runtime exited with error: exit status 3")


def test_worker_killed_by_sigkill_is_reported_and_replaced(make_runtime):
    runtime = make_runtime("app.kill_self")
    result = runtime.invoke(b"{}")
    assert result.error_type == "Runtime.ExitError"
    assert result.error_message == f"RequestId: {result.request_id} Error: Runtime exited with error: signal: killed"
    again = runtime.invoke(b"{}")
    assert again.cold_start and again.error_type == "Runtime.ExitError"
    assert runtime.cold_starts == 2


def test_memory_limit_exceeded_kills_the_worker(make_runtime):
    runtime = make_runtime("app.hog", memory_size=128)
    fits = runtime.invoke(b'{"mb": 16, "hold": 0}')
    assert fits.function_error is None and fits.max_memory_used_mb < 128
    result = runtime.invoke(b'{"mb": 200, "hold": 2}')
    assert result.function_error == "Unhandled"
    assert result.error_type == "Runtime.OutOfMemory"
    assert result.error_message == f"RequestId: {result.request_id} Error: Runtime exited with error: signal: killed"
    assert result.max_memory_used_mb == 128
    assert "Max Memory Used: 128 MB" in result.log_lines[-1]
    after = runtime.invoke(b'{"mb": 1, "hold": 0}')
    assert after.cold_start and after.function_error is None


def test_a_short_spike_over_the_limit_is_caught_from_the_peak_rss(make_runtime):
    # Held for no time at all, the spike can slip between two RSS samples; the worker's
    # peak RSS (VmHWM) still shows it, and the result is discarded as AWS would have.
    result = make_runtime("app.hog", memory_size=128).invoke(b'{"mb": 200, "hold": 0}')
    assert result.error_type == "Runtime.OutOfMemory"


def test_close_leaves_no_worker_and_no_handler_child(make_runtime):
    runtime = make_runtime("app.spawn_child")
    spawned = payload_of(runtime.invoke(b"{}"))
    worker_pids = runtime.worker_pids
    assert worker_pids == (spawned["pid"],)
    runtime.close()
    assert gone(spawned["pid"]) and gone(spawned["child"])
    own_children = {child.pid for child in psutil.Process().children(recursive=True)}
    assert not own_children & {spawned["pid"], spawned["child"]}
    assert runtime.environments == 0


def test_invoke_after_close_is_refused(make_runtime):
    runtime = make_runtime("app.counter")
    runtime.close()
    try:
        runtime.invoke(b"{}")
    except EnvironmentClosed as error:
        assert "orders-fn" in str(error)
    else:
        raise AssertionError("invoke after close() must raise EnvironmentClosed")


def test_close_during_an_invocation_ends_it_and_leaves_nothing_running(make_runtime, tmp_path):
    marker = tmp_path / "running"
    runtime = make_runtime("app.touch_and_sleep", timeout=30)
    results = []
    event = json.dumps({"path": str(marker), "seconds": 30}).encode()
    thread = threading.Thread(target=lambda: results.append(runtime.invoke(event)))
    thread.start()
    deadline = time.monotonic() + 10
    while not (marker.exists() and marker.read_text()):  # synchronisation, not a timing assertion
        assert time.monotonic() < deadline, "handler never started"
        time.sleep(0.01)
    pid = int(marker.read_text())
    runtime.close()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert results[0].error_type == "Runtime.ExitError"
    assert gone(pid)


ORPHAN_SCRIPT = """
import os, sys
sys.path.insert(0, {tests_dir!r})
from execution_fixtures import function_spec
from lambda_processor.execution import FunctionRuntime
runtime = FunctionRuntime(function_spec("app.counter"))
print(runtime.invoke(b"{{}}").payload.decode(), flush=True)
{ending}
"""


def wait_gone(pid: int, limit_seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + limit_seconds
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize(
    "ending",
    [
        "",  # normal interpreter exit without close(): the atexit safety net closes the runtime
        "os._exit(0)",  # abrupt exit, no atexit: the worker sees its request pipe close and exits
    ],
    ids=["atexit", "parent-killed"],
)
def test_workers_do_not_outlive_the_process_that_started_them(ending):
    from execution_fixtures import HANDLERS

    script = ORPHAN_SCRIPT.format(tests_dir=str(HANDLERS.parent), ending=ending)
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    worker_pid = json.loads(completed.stdout.splitlines()[-1])["pid"]
    assert wait_gone(worker_pid)

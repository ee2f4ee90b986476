"""Concurrency: one invocation per environment, scaling out, reserved and account limits."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from lambda_processor.execution import ConcurrencyLimiter, Throttled


def payload_of(result):
    return json.loads(result.payload)


def wait_until(condition, limit_seconds: float = 10.0) -> None:
    """Poll ``condition`` (synchronisation only, never a timing assertion)."""
    deadline = time.monotonic() + limit_seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


def invoke_in_background(runtime, payload: bytes):
    results = []
    thread = threading.Thread(target=lambda: results.append(runtime.invoke(payload)))
    thread.start()
    return thread, results


def test_inv_21_parallel_invocations_each_get_their_own_environment(make_runtime):
    runtime = make_runtime("app.sleepy")
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: runtime.invoke(b'{"seconds": 1}'), range(3)))
    assert all(result.function_error is None for result in results)
    assert len({payload_of(result)["pid"] for result in results}) == 3
    assert runtime.cold_starts == 3 and runtime.environments == 3 and runtime.in_flight == 0


def test_idle_environments_are_reused_most_recent_first(make_runtime):
    runtime = make_runtime("app.sleepy")
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: runtime.invoke(b'{"seconds": 1}'), range(2)))
    pids = {payload_of(runtime.invoke(b'{"seconds": 0}'))["pid"] for _ in range(4)}
    assert len(pids) == 1 and runtime.cold_starts == 2


def test_inv_12_13_reserved_concurrency_caps_in_flight_and_throttles(make_runtime):
    runtime = make_runtime("app.sleepy", max_concurrency=1)
    thread, results = invoke_in_background(runtime, b'{"seconds": 1}')
    wait_until(lambda: runtime.in_flight == 1)
    with pytest.raises(Throttled) as caught:
        runtime.invoke(b'{"seconds": 0}')
    assert caught.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert "Rate Exceeded." in str(caught.value)
    thread.join()
    assert results[0].function_error is None
    assert runtime.throttles == 1 and runtime.invocations == 1  # a throttle is not an invocation (INV-13)
    assert runtime.invoke(b'{"seconds": 0}').function_error is None


def test_inv_12_reserved_concurrency_zero_throttles_every_invocation(make_runtime):
    runtime = make_runtime("app.counter", max_concurrency=0)
    for _ in range(3):
        with pytest.raises(Throttled):
            runtime.invoke(b"{}")
    assert runtime.throttles == 3 and runtime.cold_starts == 0 and runtime.environments == 0


def test_inv_10_account_limit_is_shared_across_functions(make_runtime):
    account = ConcurrencyLimiter(1)
    slow = make_runtime("app.sleepy", account_limiter=account, name="slow-fn")
    other = make_runtime("app.counter", account_limiter=account, name="other-fn")
    thread, _ = invoke_in_background(slow, b'{"seconds": 1}')
    wait_until(lambda: slow.in_flight == 1)
    with pytest.raises(Throttled) as caught:
        other.invoke(b"{}")
    assert caught.value.reason == "ConcurrentInvocationLimitExceeded"
    thread.join()
    assert account.in_use == 0
    assert other.invoke(b"{}").function_error is None


def test_failed_invocations_release_their_concurrency(make_runtime):
    account = ConcurrencyLimiter(1)
    runtime = make_runtime("app.kill_self", account_limiter=account, max_concurrency=1)
    runtime.invoke(b"{}")
    assert runtime.in_flight == 0 and account.in_use == 0
    runtime.invoke(b"{}")  # would throttle if the crash had leaked its slot


def test_inv_20_idle_environments_can_be_shut_down(make_runtime):
    runtime = make_runtime("app.sleepy")
    with ThreadPoolExecutor(max_workers=2) as pool:
        pids = {payload_of(r)["pid"] for r in pool.map(lambda _: runtime.invoke(b'{"seconds": 1}'), range(2))}
    assert runtime.shut_down_idle(3600) == 0 and runtime.environments == 2
    assert runtime.shut_down_idle(0) == 2 and runtime.environments == 0
    result = runtime.invoke(b'{"seconds": 0}')
    assert result.cold_start and payload_of(result)["pid"] not in pids

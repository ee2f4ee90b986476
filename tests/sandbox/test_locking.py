"""BackendLock: re-entrant, owner-only release, fully released while suspended."""

from __future__ import annotations

import threading

import pytest

from lambda_processor.sandbox.moto_adapter.locking import BackendLock


def acquired_by_other_thread(lock: BackendLock) -> bool:
    result = []

    def attempt():
        got = lock._lock.acquire(timeout=5)
        result.append(got)
        if got:
            lock._lock.release()

    worker = threading.Thread(target=attempt)
    worker.start()
    worker.join()
    return result[0]


def test_reentrant_for_the_owner():
    lock = BackendLock()
    with lock:
        with lock:
            assert lock.held_by_me()
        assert lock.held_by_me()
    assert not lock.held_by_me()


def test_only_the_owner_may_release():
    lock = BackendLock()
    with pytest.raises(RuntimeError, match="does not hold"):
        lock.release()


def test_suspended_frees_the_lock_at_any_depth_and_restores_it():
    lock = BackendLock()
    with lock, lock:
        with lock.suspended():
            assert not lock.held_by_me()
            assert acquired_by_other_thread(lock)
        assert lock.held_by_me()
        assert lock._depth == 2


def test_suspended_without_holding_is_a_no_op():
    lock = BackendLock()
    with lock.suspended():
        assert not lock.held_by_me()

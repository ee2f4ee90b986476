"""A non-blocking counting limit, shared by every function of an account (INV-10, INV-12)."""

from __future__ import annotations

import threading

#: AWS's default account-level concurrency limit per Region (INV-10).
DEFAULT_ACCOUNT_CONCURRENCY = 1000


class ConcurrencyLimiter:
    """Counts in-flight invocations against ``limit``; ``None`` means unlimited.

    Unlike a semaphore it never blocks: Lambda throttles instead of queueing (INV-13).
    """

    def __init__(self, limit: int | None = DEFAULT_ACCOUNT_CONCURRENCY):
        if limit is not None and limit < 0:
            raise ValueError(f"concurrency limit must be >= 0 (got {limit})")
        self.limit = limit
        self._in_use = 0
        self._lock = threading.Lock()

    @property
    def in_use(self) -> int:
        """Slots currently held."""
        return self._in_use

    def try_acquire(self) -> bool:
        """Take a slot if one is free; return whether it was taken."""
        with self._lock:
            if self.limit is not None and self._in_use >= self.limit:
                return False
            self._in_use += 1
            return True

    def release(self) -> None:
        """Give back a slot taken by ``try_acquire``."""
        with self._lock:
            if self._in_use == 0:
                raise RuntimeError("ConcurrencyLimiter.release() without a matching try_acquire()")
            self._in_use -= 1

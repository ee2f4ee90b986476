"""The one lock that serializes every access to moto's backends.

moto's models are plain Python objects with no locking of their own (for example
``Queue.delete_message`` rebuilds ``_messages`` while another request may iterate it).
The embedded server therefore holds :data:`backend_lock` for the whole dispatch of
each HTTP request, and in-process callers (the data plane's pollers, metric and log
writers) must hold it around every direct backend access.

Work that blocks for a long time inside a request must not keep the lock, or every
other client stalls (and a handler calling back into the server would deadlock on
its own invocation). Such code runs inside :meth:`BackendLock.suspended`, which
releases the lock completely and takes it back afterwards. The adapter does that for
synchronous Lambda invokes (the handler runs while the lock is free) and for SQS
long polling (``Queue.wait_for_messages``).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


class BackendLock:
    """A re-entrant lock that can be fully released by its owner for a while.

    ``threading.RLock`` cannot be released to depth zero and restored without private
    methods, so this is a small explicit implementation of the same thing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        """Take the lock, re-entrantly for the owning thread."""
        me = threading.get_ident()
        if self._owner == me:
            self._depth += 1
            return
        self._lock.acquire()
        self._owner = me
        self._depth = 1

    def release(self) -> None:
        """Give back one level; the lock is free again when the depth reaches zero."""
        if self._owner != threading.get_ident():
            raise RuntimeError("backend_lock released by a thread that does not hold it")
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()

    def held_by_me(self) -> bool:
        """True when the calling thread holds the lock (at any depth)."""
        return self._owner == threading.get_ident()

    def __enter__(self) -> BackendLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Release the lock completely while the block runs, if this thread holds it.

        Use it around waits (a handler running, a long poll) so other requests and
        in-process callers can proceed. Anything read from moto before the block may
        have changed after it.
        """
        if not self.held_by_me():
            yield
            return
        depth = self._depth
        self._owner = None
        self._depth = 0
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()
            self._owner = threading.get_ident()
            self._depth = depth


backend_lock = BackendLock()


class LockedWsgiApp:
    """WSGI middleware: each request is dispatched to moto while holding ``lock``.

    The request body is read from the socket before the lock is taken and the response
    body is materialized while it is held, so a slow client never holds the lock and
    no lazy response generator touches moto after the lock is released.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], lock: BackendLock):
        self._app = app
        self._lock = lock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        _buffer_request_body(environ)
        with self._lock:
            result = self._app(environ, start_response)
            try:
                return list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()


def _buffer_request_body(environ: dict[str, Any]) -> None:
    length_text = environ.get("CONTENT_LENGTH") or ""
    if not length_text.isdigit():
        return
    body = environ["wsgi.input"].read(int(length_text))
    environ["wsgi.input"] = io.BytesIO(body)

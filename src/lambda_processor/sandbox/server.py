"""The embedded AWS: moto's server in this process, on 127.0.0.1 only.

``EmbeddedAws.start()`` resets moto's process-global state, applies the adapter's
patches and serves every request under :data:`backend_lock` (see
``moto_adapter.locking`` for the rule that in-process callers must follow).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .moto_adapter import SandboxHooks, backend_lock, install, reset_state, set_hooks, uninstall
from .moto_adapter.errors import SandboxError
from .moto_adapter.locking import LockedWsgiApp

DEFAULT_ACCOUNT_ID = "123456789012"
LOOPBACK = "127.0.0.1"

# moto's backends are module globals: one embedded AWS per process at a time.
_running: list[EmbeddedAws] = []


class EmbeddedAws:
    """A running embedded AWS. Use ``EmbeddedAws.start()``; stop with ``stop()`` or ``with``."""

    account_id = DEFAULT_ACCOUNT_ID
    backend_lock = backend_lock

    def __init__(self, server: Any, thread: threading.Thread, region: str, sqs_store: bool):
        self._server = server
        self._thread = thread
        self._region = region
        self._sqs_store = sqs_store
        self._stopped = False

    @classmethod
    def start(
        cls,
        port: int = 0,
        region: str = "us-east-1",
        hooks: SandboxHooks | None = None,
        *,
        sqs_store: bool = True,
    ) -> EmbeddedAws:
        """Reset moto, patch it, and serve on ``127.0.0.1:port`` (0 picks a free port).

        ``sqs_store`` puts queues on the constant-cost store (``moto_adapter.sqs_store``)
        instead of moto's list, whose every call scans the whole queue.
        """
        if _running:
            raise SandboxError(
                f"an embedded AWS is already running at {_running[0].endpoint_url}",
                where="embedded AWS",
                hint="moto's state is process-global: stop() the running one first",
            )
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietRequestHandler(MotoRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass  # one line per request on stderr would drown the CLI's output

        if sqs_store:
            from .moto_adapter.sqs_store import install_sqs_store

            # First: the store checks moto's signatures, which must not see our patches yet.
            install_sqs_store()
        try:
            install(hooks or SandboxHooks())
        except Exception:
            _uninstall_all(sqs_store)
            raise
        reset_state()
        app = LockedWsgiApp(DomainDispatcherApplication(create_backend_app), backend_lock)
        try:
            server = make_server(LOOPBACK, port, app, threaded=True, request_handler=QuietRequestHandler)
        except (OSError, SystemExit) as error:
            # werkzeug prints "Address already in use" and calls sys.exit(1) instead of raising.
            _uninstall_all(sqs_store)
            reason = getattr(error, "strerror", None) or "the address is in use or not available"
            raise SandboxError(
                f"cannot listen on {LOOPBACK}:{port}: {reason}",
                where="embedded AWS",
                hint="choose another --port, or 0 for a free one",
            ) from error
        server.daemon_threads = True
        # A short poll interval makes stop() quick; an idle wake-up costs microseconds.
        thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="embedded-aws", daemon=True
        )
        thread.start()
        aws = cls(server, thread, region, sqs_store)
        _running.append(aws)
        return aws

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``: point ``AWS_ENDPOINT_URL`` / ``endpoint_url`` here."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def region(self) -> str:
        """The default region of this sandbox."""
        return self._region

    def set_hooks(self, hooks: SandboxHooks) -> None:
        """Attach the data plane (invoke, SNS, EventBridge hooks) once it is ready."""
        set_hooks(hooks)

    def wrap_wsgi_app(self, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
        """Put WSGI middleware (e.g. the control API) in front of moto.

        The middleware runs outside ``backend_lock``; only what it passes on to moto is
        served under the lock, so a handler of its own must take the lock to touch moto.
        """
        self._server.app = wrap(self._server.app)

    def stop(self) -> None:
        """Stop serving, drop moto's state and undo the patches. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self in _running:
            _running.remove(self)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        reset_state()
        _uninstall_all(self._sqs_store)

    def __enter__(self) -> EmbeddedAws:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _uninstall_all(sqs_store: bool) -> None:
    # Queues created on the store cannot be served by moto's own methods: the state is
    # reset before this, so none survive.
    if sqs_store:
        from .moto_adapter.sqs_store import uninstall_sqs_store

        uninstall_sqs_store()
    uninstall()

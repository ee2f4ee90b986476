"""One execution environment: a worker process, its pipes, its limits.

The environment enforces what the worker cannot enforce on itself: the timeout
(INV-2) and the memory limit are watched from the parent, which kills the worker's
whole process group when either is exceeded. It knows nothing about pools,
throttling or log formatting; ``FunctionRuntime`` does that.
"""

from __future__ import annotations

import json
import math
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import psutil

from lambda_processor.execution.frames import FrameDecoder, encode_frame
from lambda_processor.execution.identifiers import TraceContext
from lambda_processor.execution.launch import WorkerLaunch
from lambda_processor.execution.log_capture import LogLineSplitter
from lambda_processor.execution.model import FunctionSpec, RuntimeUnavailable
from lambda_processor.execution.reserved_env import worker_environment

#: AWS limits the Init phase to 10 s; beyond that init is retried under the function
#: timeout (INV-20). Locally both are collapsed into one deadline of 10 s + timeout.
INIT_LIMIT_SECONDS = 10.0

#: How often RSS is sampled while a worker runs. The worker also reports its peak
#: RSS after each invocation, so a short spike over the limit is caught as well.
MEMORY_POLL_SECONDS = 0.05

#: How long to wait for the log end marker after a response (normally microseconds),
#: and for the log pipe to close after the worker died.
LOG_DRAIN_SECONDS = 2.0

BYTES_PER_MB = 1024 * 1024


@dataclass(frozen=True)
class InvocationRequest:
    """What the runtime sends a worker for one invocation."""

    request_id: str
    payload: bytes
    deadline_epoch: float
    timeout_seconds: float
    invoked_arn: str
    trace: TraceContext
    started_epoch: float
    client_context: dict | None = None
    identity: dict | None = None


@dataclass
class ProcessOutcome:
    """What happened at the process level: a response frame, or how the worker was lost.

    ``kind`` is ``result`` | ``timeout`` | ``exited`` | ``out_of_memory``.
    """

    kind: str
    payload: bytes = b""
    header: dict = field(default_factory=dict)  # the worker's response header, for ``result``
    error_type: str | None = None
    error_message: str | None = None
    duration_ms: float = 0.0
    peak_memory_mb: int = 0
    returncode: int | None = None
    log_entries: list[tuple[int, str]] = field(default_factory=list)

    @property
    def environment_lost(self) -> bool:
        """Whether the worker is gone and must be replaced."""
        return self.kind != "result"


class ExecutionEnvironment:
    """A warm (or starting) worker process serving one invocation at a time (INV-21)."""

    def __init__(
        self,
        spec: FunctionSpec,
        launch: WorkerLaunch,
        *,
        log_stream: str,
        parent_environment: Mapping[str, str] | None = None,
    ):
        self.spec = spec
        self.log_stream = log_stream
        self._launch = launch
        self._parent_environment = os.environ if parent_environment is None else parent_environment
        self._process: subprocess.Popen | None = None
        self._psutil: psutil.Process | None = None
        self._request_fd = -1
        self._response_fd = -1
        self._log_fd = -1
        self._decoder = FrameDecoder()
        self._splitter = LogLineSplitter()
        self._log_entries: list[tuple[int, str]] = []
        self._log_eof = False
        self._fd_lock = threading.Lock()
        self.init_duration_ms: float | None = None
        self.invocations = 0
        self.idle_since = 0.0  # monotonic time the last invocation ended (set by the pool)

    # ------------------------------------------------------------------ lifecycle

    @property
    def pid(self) -> int | None:
        """The worker's pid (also its process group id), or None before start."""
        return self._process.pid if self._process else None

    @property
    def alive(self) -> bool:
        """Whether the worker process is still running."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> ProcessOutcome:
        """Spawn the worker and run the Init phase; ``kind == "result"`` means ready.

        An init failure comes back as ``kind == "result"`` with ``error_type`` set
        (``Runtime.ImportModuleError`` ...); the caller reports it on the invocation.
        """
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        log_read, log_write = os.pipe()
        environment = worker_environment(
            self.spec,
            log_stream=self.log_stream,
            runtime_dir=self._launch.script.parent,
            parent_environment=self._parent_environment,
            extra=self._launch.extra_environment,
        )
        started = time.perf_counter()
        try:
            self._process = subprocess.Popen(
                self._launch.command(request_read, response_write),
                stdin=subprocess.DEVNULL,
                stdout=log_write,
                stderr=log_write,
                pass_fds=(request_read, response_write),
                cwd=self.spec.code_dir,
                env=environment,
                start_new_session=True,  # its own process group, so a kill takes its children too
            )
        except OSError as error:
            for fd in (request_read, request_write, response_read, response_write, log_read, log_write):
                os.close(fd)
            raise RuntimeUnavailable(
                f"cannot start a {self.spec.runtime} worker in {self.spec.code_dir}: {error}",
                where=self.spec.name,
                hint="check that the function's code directory exists",
            ) from error
        for fd in (request_read, response_write, log_write):
            os.close(fd)
        self._request_fd, self._response_fd, self._log_fd = request_write, response_read, log_read
        self._psutil = psutil.Process(self._process.pid)
        outcome = self._await_response(time.monotonic() + INIT_LIMIT_SECONDS + self.spec.timeout, "init")
        self.init_duration_ms = (time.perf_counter() - started) * 1000
        if outcome.kind == "result" and not outcome.header.get("ok"):
            error = outcome.header["error"]
            outcome.error_type, outcome.error_message = error["errorType"], error["errorMessage"]
            outcome.payload = json.dumps(error).encode()
            self.kill()
        outcome.duration_ms = self.init_duration_ms
        return outcome

    def signal_kill(self) -> None:
        """SIGKILL the worker's process group without touching the pipes.

        Safe from another thread while an invocation is waiting: that invocation sees
        the pipe close and ends with ``Runtime.ExitError``, then releases the pipes.
        """
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self) -> None:
        """Kill the worker's process group, reap it and close the pipes. Idempotent.

        Only the thread that owns the environment (the one invoking it, or anyone when
        it is idle) may call this: closing fds under a waiting reader is not safe.
        """
        process = self._process
        if process is None:
            return
        self.signal_kill()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with self._fd_lock:
            fds = (self._request_fd, self._response_fd, self._log_fd)
            self._request_fd = self._response_fd = self._log_fd = -1
        for fd in fds:
            if fd >= 0:
                os.close(fd)

    # ------------------------------------------------------------------ invocation

    def invoke(self, request: InvocationRequest) -> ProcessOutcome:
        """Run one invocation; enforce timeout and memory; never raises for handler faults."""
        assert self._process is not None
        self.invocations += 1
        header = {
            "type": "invoke",
            "requestId": request.request_id,
            "deadlineMs": int(request.deadline_epoch * 1000),
            "invokedArn": request.invoked_arn,
            "traceHeader": request.trace.header,
            "clientContext": request.client_context,
            "identity": request.identity,
        }
        started = time.perf_counter()
        try:
            _write_all(self._request_fd, encode_frame(header, request.payload))
        except OSError:
            outcome = self._exited()
        else:
            outcome = self._await_response(time.monotonic() + request.timeout_seconds, request.request_id)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if outcome.kind == "result":
            response = outcome.header
            outcome.duration_ms = response.get("durationMs", elapsed_ms)
            outcome.peak_memory_mb = _ceil_mb(response.get("peakRssKb", 0) * 1024)
            if not response.get("ok"):
                outcome.error_type = response.get("errorType")
                outcome.error_message = response.get("errorMessage")
            if outcome.peak_memory_mb > self.spec.memory_size:
                # The worker went over its limit between two samples: AWS would have
                # killed it, so the result is discarded and the environment replaced.
                self.kill()
                outcome = ProcessOutcome(kind="out_of_memory", log_entries=outcome.log_entries)
        if outcome.kind == "timeout":
            outcome.duration_ms = request.timeout_seconds * 1000
        elif outcome.kind != "result":
            outcome.duration_ms = elapsed_ms
        if outcome.kind == "out_of_memory":
            outcome.peak_memory_mb = self.spec.memory_size
        return outcome

    # ------------------------------------------------------------------ internals

    def _await_response(self, deadline: float, marker: str) -> ProcessOutcome:
        """Wait for one response frame and the log end marker ``marker``.

        One thread reads both pipes, so log lines need no hand-off between threads.
        RSS is sampled every ``MEMORY_POLL_SECONDS`` until the response arrives. On a
        timeout, exit or memory kill, the log pipe is drained so output written
        before the end is kept.
        """
        limit_bytes = self.spec.memory_size * BYTES_PER_MB
        frame: tuple[dict, bytes] | None = None
        marker_seen = False
        marker_deadline: float | None = None
        next_memory_sample = time.monotonic() + MEMORY_POLL_SECONDS
        while True:
            now = time.monotonic()
            if frame is not None:
                if marker_seen or self._log_eof:
                    return self._outcome("result", frame)
                if marker_deadline is None:
                    marker_deadline = now + LOG_DRAIN_SECONDS
                if now >= marker_deadline:  # the handler closed or redirected fd 1
                    return self._outcome("result", frame)
                remaining = marker_deadline - now
            else:
                remaining = deadline - now
                if remaining <= 0:
                    self.kill_and_drain()
                    return self._outcome("timeout")
            watched = [self._response_fd] if frame is None else []
            if not self._log_eof:
                watched.append(self._log_fd)
            readable = _wait_readable(watched, min(remaining, MEMORY_POLL_SECONDS))
            if self._log_fd in readable:
                marker_seen = self._read_logs(marker) or marker_seen
            if self._response_fd in readable:
                chunk = os.read(self._response_fd, 1 << 20)
                if not chunk:
                    return self._exited()
                frames = self._decoder.feed(chunk)
                if frames:
                    frame = frames[0]
            if frame is None and time.monotonic() >= next_memory_sample:
                next_memory_sample = time.monotonic() + MEMORY_POLL_SECONDS
                if self._rss_bytes() > limit_bytes:
                    self.kill_and_drain()
                    return self._outcome("out_of_memory")

    def _read_logs(self, marker: str | None = None) -> bool:
        """Read what the log pipe holds; return whether ``marker`` was among it."""
        data = os.read(self._log_fd, 65536)
        now_ms = int(time.time() * 1000)
        if not data:
            self._log_eof = True
            self._log_entries.extend(self._splitter.flush(now_ms))
            return False
        lines, markers = self._splitter.feed(data, now_ms)
        self._log_entries.extend(lines)
        return marker in markers

    def _outcome(self, kind: str, frame: tuple[dict, bytes] | None = None) -> ProcessOutcome:
        entries, self._log_entries = self._log_entries, []
        header, body = frame if frame is not None else ({}, b"")
        return ProcessOutcome(kind=kind, header=header, payload=body, log_entries=entries)

    def kill_and_drain(self) -> None:
        """Kill the process group, then read the log pipe until every writer is gone."""
        self.signal_kill()
        self._drain_logs()
        self.kill()

    def _drain_logs(self) -> None:
        deadline = time.monotonic() + LOG_DRAIN_SECONDS
        while not self._log_eof and self._log_fd >= 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break  # a process that escaped the group still holds the pipe
            readable = _wait_readable([self._log_fd], remaining)
            if readable:
                self._read_logs()

    def _exited(self) -> ProcessOutcome:
        assert self._process is not None
        try:
            returncode = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            returncode = None
        self.kill_and_drain()
        outcome = self._outcome("exited")
        outcome.returncode = returncode
        return outcome

    def _rss_bytes(self) -> int:
        try:
            return self._psutil.memory_info().rss if self._psutil else 0
        except psutil.Error:
            return 0


def _wait_readable(fds: list[int], timeout_seconds: float) -> list[int]:
    """The fds among ``fds`` that can be read (or hit EOF) within the timeout.

    poll, not select: a sandbox with hundreds of environments has fd numbers past
    select's FD_SETSIZE (1024).
    """
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    return [fd for fd, _ in poller.poll(max(0, math.ceil(timeout_seconds * 1000)))]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _ceil_mb(size_bytes: int) -> int:
    return -(-int(size_bytes) // BYTES_PER_MB)


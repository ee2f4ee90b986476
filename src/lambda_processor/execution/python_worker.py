"""The Python execution environment: one process, one invocation at a time (INV-21).

Run as ``python python_worker.py REQUEST_FD RESPONSE_FD CONFIG_JSON`` by
``lambda_processor.execution``. It is deliberately standalone (stdlib only, no imports
from the runtime) so that nothing of ours shadows or pollutes the handler's modules.

fd 1 and fd 2 are the environment's log pipe: everything the handler prints goes
there. Requests and responses travel on two other pipes, so handler output can never
corrupt the protocol. After each invocation the worker writes an end marker to the
log pipe, which tells the parent that all output of that invocation has arrived.

The behaviour follows the AWS Python runtime (awslambdaric): handler resolution and
its fault types (INV-50), the context object (INV-30/31), the error payload (INV-3),
the root logger's format, and JSON marshalling of the result.
"""

import decimal
import importlib
import json
import logging
import os
import struct
import sys
import time
import traceback

PREFIX = struct.Struct(">II")
LOG_END_MARKER = "\x1eLPEND {}\x1e\n"


# ----------------------------------------------------------------------------- frames


def read_exactly(fd, count):
    """Read exactly ``count`` bytes from ``fd``; EOFError when the runtime went away."""
    chunks = []
    while count:
        chunk = os.read(fd, count)
        if not chunk:
            raise EOFError("runtime closed the request pipe")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    """One request frame: (header dict, body bytes)."""
    header_length, body_length = PREFIX.unpack(read_exactly(fd, PREFIX.size))
    header = json.loads(read_exactly(fd, header_length))
    return header, read_exactly(fd, body_length) if body_length else b""


def write_frame(fd, header, body=b""):
    """Write one response frame, all of it."""
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    view = memoryview(PREFIX.pack(len(header_bytes), len(body)) + header_bytes + body)
    while view:
        written = os.write(fd, view)
        view = view[written:]


# ----------------------------------------------------------------------------- faults


class FaultException(Exception):
    """A runtime fault with AWS's errorType (Runtime.*)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def get_handler(handler):
    """Resolve ``module.path.function`` like awslambdaric's ``_get_handler`` (INV-50)."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as error:
        raise FaultException("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {error}")
    if modname.split(".")[0] in sys.builtin_module_names:
        raise FaultException(
            "Runtime.BuiltInModuleConflict", f"Cannot use built-in module {modname} as a handler module"
        )
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as error:
        raise FaultException("Runtime.ImportModuleError", f"Unable to import module '{modname}': {error}")
    except SyntaxError as error:
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}']
        raise FaultException("Runtime.UserCodeSyntaxError", f"Syntax error in module '{modname}': {error}", trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'")


def error_from_exception(error, request_id):
    """The unhandled-exception payload (INV-3), with the worker's own frame cut off."""
    if isinstance(error, FaultException):
        return {"errorMessage": error.message, "errorType": error.error_type, "requestId": request_id,
                "stackTrace": error.trace}
    frames = traceback.extract_tb(error.__traceback__)[1:]
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def log_error(payload):
    """Log an error the way the AWS runtime does: one event, newlines turned into \\r."""
    lines = [f"[ERROR] {payload['errorType']}: {payload['errorMessage']}"]
    if payload.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(entry.rstrip("\n") for entry in payload["stackTrace"])
    write_log_event("\r".join(lines))


# ----------------------------------------------------------------------------- logging

current_request_id = ""


def write_log_event(text):
    """Write one log event as one line: embedded newlines become \\r, as in AWS."""
    stream = sys.__stdout__
    stream.write(text.replace("\n", "\r") + "\n")
    stream.flush()


class LambdaLoggerHandler(logging.Handler):
    """The handler AWS installs on the root logger: one record is one log event."""

    def emit(self, record):
        """Format and write the record as one event."""
        try:
            write_log_event(self.format(record))
        except Exception:
            self.handleError(record)


class RequestIdFilter(logging.Filter):
    """Adds ``aws_request_id`` to every record, for the Lambda log format."""

    def filter(self, record):
        """Attach the current request id."""
        record.aws_request_id = current_request_id
        return True


def setup_logging():
    """Install AWS's root-logger handler; the root level stays WARNING unless AWS_LAMBDA_LOG_LEVEL."""
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


# ----------------------------------------------------------------------------- context


class CognitoIdentity:
    """``context.identity``: empty unless invoked through the Mobile SDK."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity=None):
        identity = identity or {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")


class Client:
    """``context.client_context.client``."""

    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")

    def __init__(self, client):
        self.installation_id = client.get("installation_id")
        self.app_title = client.get("app_title")
        self.app_version_name = client.get("app_version_name")
        self.app_version_code = client.get("app_version_code")
        self.app_package_name = client.get("app_package_name")


class ClientContext:
    """``context.client_context``: from Invoke's ClientContext (sync invocations only)."""

    __slots__ = ("client", "custom", "env")

    def __init__(self, data):
        self.client = Client(data["client"]) if data.get("client") else None
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    """The ``context`` argument (INV-30/31): names from env vars, memory as a string."""

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_arn
        self.client_context = ClientContext(client_context) if client_context else None
        self.identity = CognitoIdentity(identity)
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        """Milliseconds until the timeout, floored at 0 (INV-31)."""
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def log(self, message):
        """Write ``message`` to the function's log, as the runtime's ``context.log``."""
        sys.stdout.write(str(message))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn}])"
        )


# ----------------------------------------------------------------------------- invocation


def decimal_serializer(value):
    """json ``default``: Decimal (as DynamoDB returns numbers) becomes a float, as in awslambdaric."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def peak_rss_kb():
    """Peak RSS of this process since exec (VmHWM). ru_maxrss would include the parent's
    pages copied at fork, which overstates a small worker spawned by a big runtime."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def end_of_output(request_id):
    """Flush everything the handler wrote, then mark the end of it on the log pipe."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass
    os.write(1, LOG_END_MARKER.format(request_id).encode())


def invoke(handler, header, body):
    """Run one invocation; return (response header, response body)."""
    global current_request_id
    request_id = header["requestId"]
    current_request_id = request_id
    os.environ["_X_AMZN_TRACE_ID"] = header.get("traceHeader") or ""
    context = LambdaContext(
        request_id, header["deadlineMs"], header["invokedArn"], header.get("clientContext"), header.get("identity")
    )
    started = time.perf_counter()
    try:
        try:
            event = json.loads(body) if body else None
        except ValueError as error:
            raise FaultException("Runtime.UnmarshalError", f"Unable to unmarshal input: {error}")
        result = handler(event, context)
        try:
            payload = json.dumps(result, default=decimal_serializer).encode()
        except (TypeError, ValueError) as error:
            raise FaultException("Runtime.MarshalError", f"Unable to marshal response: {error}")
        response = {"type": "result", "ok": True}
    except Exception as error:
        error_payload = error_from_exception(error, request_id)
        log_error(error_payload)
        payload = json.dumps(error_payload).encode()
        response = {"type": "result", "ok": False, "errorType": error_payload["errorType"],
                    "errorMessage": error_payload["errorMessage"]}
    response["durationMs"] = (time.perf_counter() - started) * 1000
    response["peakRssKb"] = peak_rss_kb()
    end_of_output(request_id)
    current_request_id = ""
    return response, payload


def main():
    """Set up sys.path and logging, run Init, then serve invocations until the pipe closes."""
    request_fd, response_fd = int(sys.argv[1]), int(sys.argv[2])
    config = json.loads(sys.argv[3])
    # Our own directory is sys.path[0]; the handler must see the task root first instead.
    sys.path[:] = config["paths"] + [entry for entry in sys.path[1:] if entry]
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True)
    setup_logging()
    try:
        handler = get_handler(os.environ["_HANDLER"])
        init = {"type": "init", "ok": True}
    except Exception as error:
        error_payload = error_from_exception(error, "")
        log_error(error_payload)
        init = {"type": "init", "ok": False, "error": error_payload}
    end_of_output("init")
    write_frame(response_fd, init)
    if not init["ok"]:
        return
    while True:
        try:
            header, body = read_frame(request_fd)
        except EOFError:
            return
        response, payload = invoke(handler, header, body)
        write_frame(response_fd, response, payload)


if __name__ == "__main__":
    main()

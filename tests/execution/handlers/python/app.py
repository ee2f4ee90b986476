"""Handlers for tests/execution: each one exercises one behaviour of a Lambda environment."""

import decimal
import logging
import os
import signal
import subprocess
import sys
import time

INVOCATIONS = 0  # a module global: survives warm invocations, reset by a cold start (INV-20)


def counter(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    return {"invocations": INVOCATIONS, "pid": os.getpid()}


def echo(event, context):
    return event


def describe_context(event, context):
    env_names = [
        "_HANDLER", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "LANG", "AWS_XRAY_CONTEXT_MISSING",
        "AWS_ENDPOINT_URL", "_X_AMZN_TRACE_ID", "GREETING", "HOME_REGION_OVERRIDE",
    ]
    client = context.client_context
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "identity_id": context.identity.cognito_identity_id,
        "client_custom": client.custom if client else None,
        "client_app_title": client.client.app_title if client and client.client else None,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "env": {name: os.environ.get(name) for name in env_names},
        "cwd": os.getcwd(),
        "sys_path_head": sys.path[:3],
    }


def boom(event, context):
    raise ValueError("boom: " + str(event.get("why")))


def sleepy(event, context):
    time.sleep(event["seconds"])
    return {"slept": event["seconds"], "pid": os.getpid()}


def exit_one(event, context):
    print("about to exit")
    os._exit(1)


def sys_exit(event, context):
    sys.exit(3)


def kill_self(event, context):
    os.kill(os.getpid(), signal.SIGKILL)


def hog(event, context):
    data = b"\x01" * (event["mb"] * 1024 * 1024)  # bytes are written, so the pages are resident
    time.sleep(event.get("hold", 0.3))
    return {"held": len(data)}


def chatty(event, context):
    logger = logging.getLogger()
    logger.setLevel(logging.INFO)
    print("plain print")
    logger.info("info via logging")
    logger.debug("debug is below the level")
    sys.stderr.write("to stderr\n")
    os.write(1, b"raw fd write\n")
    logger.warning("multi\nline")
    sys.stdout.write("no newline at the end")
    return "done"


def huge_output(event, context):
    for index in range(event["lines"]):
        print(f"line {index:06d} " + "x" * 100)
    print("y" * event["long_line_bytes"])
    return {"ok": True}


def returns_none(event, context):
    return None


def returns_decimal(event, context):
    return {"price": decimal.Decimal("12.50")}


def unserializable(event, context):
    return {"when": object()}


def spawn_child(event, context):
    child = subprocess.Popen(["sleep", "60"])
    return {"child": child.pid, "pid": os.getpid()}


def touch_and_sleep(event, context):
    with open(event["path"], "w") as marker:  # tells the test the handler is running
        marker.write(str(os.getpid()))
    time.sleep(event["seconds"])


def background_printer(event, context):
    import threading

    def later():
        time.sleep(0.2)
        print("printed by a background thread after the handler returned")
        with open(event["done"], "w"):  # tells the test the line was written
            pass

    threading.Thread(target=later, daemon=True).start()
    return "started"


def big_response(event, context):
    return "x" * event["bytes"]

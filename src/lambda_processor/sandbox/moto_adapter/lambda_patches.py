"""Lambda: route every execution to the runtime's invoke hook, keep the fields moto drops.

* API ``Invoke`` / ``InvokeAsync`` are answered here instead of by moto, which would
  try Docker, run Event and DryRun synchronously and ignore ``?Qualifier=`` (it reads
  the parameter in lower case). RequestResponse calls the hook with the backend lock
  released; Event answers 202 with an empty body; DryRun answers 204 and runs nothing.
* ``LambdaFunction.invoke`` (moto's internal choke point, used by S3 notifications and
  DynamoDB/Kinesis streams) becomes an Event invocation through the same hook.
* ``DeadLetterConfig``/``LoggingConfig`` (on create) and ``TracingConfig``,
  ``KMSKeyArn``, ``EphemeralStorage`` (on update) are stored and returned, so a
  Terraform plan after apply shows no drift.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote

from .hooks import InvokeRejected, current_hooks
from .locking import backend_lock
from .patching import PatchSet, SignatureCheck

log = logging.getLogger(__name__)

CHECKS = (
    SignatureCheck("moto.awslambda.responses:LambdaResponse.invoke", "self"),
    SignatureCheck("moto.awslambda.responses:LambdaResponse.invoke_async", "self"),
    SignatureCheck(
        "moto.awslambda.models:LambdaFunction.invoke",
        "self, body, request_headers, response_headers",
    ),
    SignatureCheck(
        "moto.awslambda.models:LambdaFunction.__init__", "self, account_id, spec, region, version"
    ),
    SignatureCheck("moto.awslambda.models:LambdaFunction.get_configuration", "self, on_create"),
    SignatureCheck(
        "moto.awslambda.models:LambdaFunction.update_configuration", "self, config_updates"
    ),
    SignatureCheck(
        "moto.awslambda.models:LambdaBackend.get_function", "self, function_name_or_arn, qualifier"
    ),
    SignatureCheck("moto.awslambda.utils:make_function_arn", "region, account, name"),
)

NO_RUNTIME_MESSAGE = (
    "no local runtime is attached to the embedded AWS, so Lambda code cannot run; "
    "start it with `lambda-processor up` (or register SandboxHooks.invoke)"
)


def install(patches: PatchSet) -> None:
    """Apply the Lambda patches to moto's classes."""
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda.responses import LambdaResponse

    patches.replace(LambdaResponse, "invoke", _api_invoke)
    patches.replace(LambdaResponse, "invoke_async", _api_invoke_async)
    patches.replace(LambdaFunction, "invoke", _internal_invoke)
    _wrap_configuration_fields(patches, LambdaFunction)


# ---------------------------------------------------------------- invoke routing


def _api_invoke(self: Any) -> tuple[int, dict[str, str], bytes | str]:
    from moto.awslambda.utils import make_function_arn

    name_in_path = unquote(self.path.rsplit("/", 2)[-2])
    explicit_qualifier = self.querystring.get("Qualifier", [None])[0]
    invocation_type = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    function = self.backend.get_function(name_in_path, explicit_qualifier)
    qualifier = explicit_qualifier or _qualifier_in_name(name_in_path)
    executed_version = "$LATEST" if qualifier in (None, "$LATEST") else str(function.version)
    headers = {"content-type": "application/json", "X-Amz-Executed-Version": executed_version}

    if invocation_type == "DryRun":
        return _respond(204, headers, b"")
    hook = current_hooks().invoke
    if hook is None:
        return _lambda_error(500, "ServiceException", NO_RUNTIME_MESSAGE)

    payload = _raw_body(self)
    try:
        # The handler may call back into this server: never hold the lock while it runs.
        with backend_lock.suspended():
            status, body, function_error, log_result = hook(
                function_name=function.function_name,
                function_arn=make_function_arn(function.region, function.account_id, function.function_name),
                payload=payload,
                invocation_type=invocation_type,
                qualifier=qualifier,
                client_context=self.headers.get("X-Amz-Client-Context"),
            )
    except InvokeRejected as rejected:
        return _lambda_error(rejected.status, rejected.error_type, rejected.message)

    if invocation_type == "Event":
        return _respond(202, headers, b"")  # AWS: 202 and an empty body, whatever the hook says
    if function_error:
        headers["X-Amz-Function-Error"] = function_error
    if log_result and self.headers.get("X-Amz-Log-Type") == "Tail":
        headers["X-Amz-Log-Result"] = log_result
    return _respond(status, headers, body)


def _api_invoke_async(self: Any) -> tuple[int, dict[str, str], bytes | str]:
    """Legacy InvokeAsync: always an Event invocation of $LATEST."""
    from moto.awslambda.utils import make_function_arn

    index = -3 if self.path.endswith("/") else -2
    function = self.backend.get_function(unquote(self.path.rsplit("/", 3)[index]), None)
    hook = current_hooks().invoke
    if hook is None:
        return _lambda_error(500, "ServiceException", NO_RUNTIME_MESSAGE)
    try:
        with backend_lock.suspended():
            hook(
                function_name=function.function_name,
                function_arn=make_function_arn(function.region, function.account_id, function.function_name),
                payload=_raw_body(self),
                invocation_type="Event",
                qualifier=None,
                client_context=None,
            )
    except InvokeRejected as rejected:
        return _lambda_error(rejected.status, rejected.error_type, rejected.message)
    return _respond(202, {"content-type": "application/json"}, json.dumps({"Status": 202}))


def _internal_invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    """moto's own callers (S3 notifications, streams): an asynchronous invocation."""
    from moto.awslambda.utils import make_function_arn

    hook = current_hooks().invoke
    if hook is None:
        log.warning("dropped an internal invocation of %s: %s", self.function_name, NO_RUNTIME_MESSAGE)
        return b""
    payload = body if isinstance(body, bytes) else (body or "{}").encode("utf-8")
    invocation_type = request_headers.get("x-amz-invocation-type", "Event")
    try:
        _, result, _, _ = hook(
            function_name=self.function_name,
            function_arn=make_function_arn(self.region, self.account_id, self.function_name),
            payload=payload,
            invocation_type=invocation_type,
            qualifier=None,
            client_context=None,
        )
    except InvokeRejected as rejected:
        # The caller is a moto request of another service (an S3 PutObject, say): it must not fail.
        log.warning("internal invocation of %s rejected: %s", self.function_name, rejected)
        return b""
    return result


def _qualifier_in_name(name: str) -> str | None:
    """The qualifier embedded in ``name:qualifier`` or a qualified function ARN."""
    if name.startswith("arn:"):
        parts = name.split(":")
        return parts[7] if len(parts) == 8 else None
    if ":" in name:
        return name.split(":", 1)[1]
    return None


def _raw_body(response: Any) -> bytes:
    raw = getattr(response, "raw_body", None)
    if isinstance(raw, bytes):
        return raw
    body = response.body or b""
    return body if isinstance(body, bytes) else body.encode("utf-8")


def _respond(status: int, headers: dict[str, str], body: bytes | str) -> tuple[int, dict[str, str], bytes | str]:
    # moto's dispatcher reads the status from the "status" header of a 3-tuple.
    return status, {**headers, "status": str(status)}, body


def _lambda_error(status: int, error_type: str, message: str) -> tuple[int, dict[str, str], str]:
    body = json.dumps({"Type": "User" if status < 500 else "Service", "message": message})
    headers = {"content-type": "application/json", "x-amzn-ErrorType": error_type}
    return _respond(status, headers, body)  # type: ignore[return-value]


# ---------------------------------------------------------------- fields moto drops


def _wrap_configuration_fields(patches: PatchSet, function_class: type) -> None:
    original_init = function_class.__init__
    original_get_configuration = function_class.get_configuration
    original_update_configuration = function_class.update_configuration

    def __init__(self: Any, account_id: str, spec: dict[str, Any], region: str, version: str | int = 1) -> None:
        original_init(self, account_id, spec, region, version)
        self.dead_letter_config = _dead_letter_config(spec.get("DeadLetterConfig"))
        self.logging_config = spec.get("LoggingConfig") or None

    def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
        config = original_get_configuration(self, on_create)
        dead_letter_config = getattr(self, "dead_letter_config", None)
        if dead_letter_config:
            config["DeadLetterConfig"] = dict(dead_letter_config)
        config["LoggingConfig"] = logging_config_with_defaults(
            getattr(self, "logging_config", None), self.function_name
        )
        return config

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        original_update_configuration(self, config_updates)
        for key, value in config_updates.items():
            if key == "TracingConfig":
                self.tracing_config = value or {"Mode": "PassThrough"}
            elif key == "KMSKeyArn":
                self.kms_key_arn = value or None  # "" removes the key
            elif key == "EphemeralStorage":
                self.ephemeral_storage = value["Size"]
            elif key == "DeadLetterConfig":
                self.dead_letter_config = _dead_letter_config(value)
            elif key == "LoggingConfig":
                self.logging_config = value or None
        return self.get_configuration()

    patches.replace(function_class, "__init__", __init__)
    patches.replace(function_class, "get_configuration", get_configuration)
    patches.replace(function_class, "update_configuration", update_configuration)


def _dead_letter_config(value: dict[str, Any] | None) -> dict[str, str] | None:
    # Terraform removes a DLQ by sending {"TargetArn": ""}.
    if value and value.get("TargetArn"):
        return {"TargetArn": value["TargetArn"]}
    return None


def logging_config_with_defaults(configured: dict[str, Any] | None, function_name: str) -> dict[str, Any]:
    """LoggingConfig as AWS returns it: Text to /aws/lambda/<name> unless configured.

    JSON format adds the INFO log levels AWS fills in when none are given.
    """
    config: dict[str, Any] = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}"}
    config.update({key: value for key, value in (configured or {}).items() if value})
    if config["LogFormat"] == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    return config

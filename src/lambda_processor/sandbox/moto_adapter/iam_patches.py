"""Least privilege in the sandbox: requests signed with STS credentials are authorized.

Terraform and the CLI use the static key ``test`` and keep full rights; a handler gets
credentials minted for its execution role (:func:`mint_role_credentials`, ``ASIA…``
keys) and every request signed with them is checked against the role's policies once
:func:`enable_iam_enforcement` is on. On top of moto's evaluation this module:

* resolves the resource ARNs moto checks as ``"*"`` (``iam_resources``: DynamoDB tables
  and indexes, SNS topics, Lambda functions, EventBridge buses and rules, KMS keys;
  SQS and S3 were already resolved by moto) and checks each of them;
* uses IAM's action names (``lambda:InvokeFunction``, not moto's ``lambda:Invoke``);
* renders AccessDenied in the service's JSON shape (``AccessDeniedException``) where
  the SDK expects JSON, instead of moto's XML that boto3 reports as code ``403``;
* verifies the SigV4 signature only when the request has a body: moto re-signs an
  empty body as a form body and the signature never matches (Lambda GET/DELETE).

Not evaluated (moto limits): session policies, permission boundaries, resource
policies, most conditions, and ``NotResource`` Deny statements.
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlparse

from .errors import SandboxError
from .iam_resources import iam_action_name, resource_arns
from .locking import backend_lock
from .patching import PatchSet, SignatureCheck

CHECKS = (
    SignatureCheck(
        "moto.core.authorization:ActionAuthenticatorMixin._authenticate_and_authorize_action",
        "self, iam_request_cls, resource",
    ),
    SignatureCheck(
        "moto.iam.access_control:IAMRequestBase.__init__",
        "self, account_id, method, path, data, body, headers, action",
    ),
    SignatureCheck("moto.iam.access_control:IAMRequestBase.check_action_permitted", "self, resource"),
    SignatureCheck("moto.iam.access_control:IAMRequestBase.check_signature", "self"),
    SignatureCheck(
        "moto.sts.models:STSBackend.assume_role",
        "self, region_name, role_session_name, role_arn, policy, duration, external_id",
    ),
)

STS_KEY_PREFIX = "ASIA"

_enforcing = False


def enable_iam_enforcement() -> None:
    """From now on, authorize every request signed with STS-issued (``ASIA…``) keys."""
    global _enforcing
    _enforcing = True


def disable_iam_enforcement() -> None:
    """Stop authorizing STS-signed requests (moto's default: everything allowed)."""
    global _enforcing
    _enforcing = False


def iam_enforcement_enabled() -> bool:
    """Whether STS-signed requests are being authorized."""
    return _enforcing


def mint_role_credentials(
    role_arn: str, session_name: str, *, region: str = "us-east-1", duration_seconds: int = 43200
) -> tuple[str, str, str]:
    """``(access_key_id, secret_access_key, session_token)`` for ``role_arn``, minted in-process.

    In-process because moto's AssumeRole over HTTP answers 500 when the trust policy
    names only a Service principal (every Lambda execution role).
    """
    from moto.sts.models import sts_backends

    parts = role_arn.split(":")
    if len(parts) < 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise SandboxError(
            f"{role_arn!r} is not an IAM role ARN", where="execution role", hint="expected arn:aws:iam::ACCOUNT:role/NAME"
        )
    with backend_lock:
        role = sts_backends[parts[4]]["aws"].assume_role(
            region_name=region,
            role_session_name=session_name,
            role_arn=role_arn,
            policy="",
            duration=duration_seconds,
            external_id="",
        )
        return role.access_key_id, role.secret_access_key, role.session_token


def install(patches: PatchSet) -> None:
    """Wrap moto's per-request authorization."""
    from moto.core.authorization import ActionAuthenticatorMixin

    original = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def _authenticate_and_authorize_action(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        access_key = _access_key_id(self.headers)
        if not (_enforcing and access_key.startswith(STS_KEY_PREFIX)):
            return original(self, iam_request_cls, resource)
        _authorize_sts_request(self, iam_request_cls, resource)
        return None

    patches.replace(ActionAuthenticatorMixin, "_authenticate_and_authorize_action", _authenticate_and_authorize_action)


def _authorize_sts_request(response: Any, iam_request_cls: type, moto_resource: str) -> None:
    from moto.core.exceptions import AccessDeniedError

    parsed_url = urlparse(response.uri)
    path = response.raw_path + (f"?{parsed_url.query}" if parsed_url.query else "")
    request = _with_iam_action_names(iam_request_cls)(
        account_id=response.current_account,
        method=response.method,
        path=path,
        data=response.data,
        body=response.raw_body,
        headers=response.headers,
        action=response._get_action(),
    )
    if response.raw_body:
        request.check_signature()
    service = _signing_service(response.headers)
    resources = None
    if moto_resource == "*":
        resources = resource_arns(
            service,
            _moto_operation(response),
            _request_params(response),
            response.raw_path,
            region=request._region,
            account_id=response.current_account,
        )
    for resource in resources or [moto_resource]:
        try:
            request.check_action_permitted(resource)
        except AccessDeniedError as denied:
            raise _denial_for(response, request, resource) from denied


def _moto_operation(response: Any) -> str:
    action = response._get_action()
    return action[0] if isinstance(action, list) else action


@functools.cache
def _with_iam_action_names(iam_request_cls: type) -> type:
    class IamNamedRequest(iam_request_cls):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._action = iam_action_name(self._action)

    return IamNamedRequest


def _signing_service(headers: Any) -> str:
    """The service in the credential scope (``.../us-east-1/dynamodb/aws4_request``)."""
    scope = (headers.get("Authorization") or "").partition("Credential=")[2].partition(",")[0]
    parts = scope.split("/")
    return parts[3] if len(parts) > 3 else ""


def _access_key_id(headers: Any) -> str:
    authorization = headers.get("Authorization") or ""
    return authorization.partition("Credential=")[2].partition("/")[0]


def _request_params(response: Any) -> dict[str, Any]:
    """The request parameters: the JSON body, or the first value of each query/form field."""
    content_type = response.headers.get("Content-Type") or ""
    if "json" in content_type and response.raw_body:
        try:
            body = json.loads(response.raw_body)
        except ValueError:
            body = None
        if isinstance(body, dict):
            return {**_query_params(response), **body}
    return _query_params(response)


def _query_params(response: Any) -> dict[str, Any]:
    return {key: values[0] for key, values in (response.querystring or {}).items() if values}


def _denial_for(response: Any, request: Any, resource: str) -> Exception:
    """AccessDenied shaped like the service's own errors."""
    from moto.core.exceptions import AccessDeniedError, JsonRESTError

    message = (
        f"User: {request._access_key.arn} is not authorized to perform: {request._action} "
        f"on resource: {resource} because no identity-based policy allows the {request._action} action"
    )
    content_type = response.headers.get("Content-Type") or ""
    service = request._action.split(":", 1)[0]
    if service == "lambda" or "x-amz-json" in content_type:
        code = "AccessDenied" if service == "sqs" else "AccessDeniedException"
        error = JsonRESTError(code, message)
        error.code = 403 if service in ("lambda", "sqs") else 400
        return error
    return AccessDeniedError(user_arn=request._access_key.arn, action=f"{request._action} on resource: {resource}")

"""Public Lambda layers: published in their publisher's account, looked up by full ARN.

moto's layer lookup (``LayerStorage.get_layer_version_by_arn`` via
``LambdaBackend.layers_versions_by_arn``) ignores the account and region in the ARN and
searches the caller's own backend, so ``create_function`` with a public layer fails,
or silently "matches" a same-named private layer and rewrites the stored ARN (a
permanent Terraform diff). The patched lookup uses the backend of the ARN's account
and region, and seeds layers from well-known publishers on first use.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from typing import Any

from .errors import SandboxError
from .patching import PatchSet, SignatureCheck

CHECKS = (
    SignatureCheck("moto.awslambda.models:LambdaBackend.layers_versions_by_arn", "self, layer_version_arn"),
    SignatureCheck("moto.awslambda.models:LambdaBackend.publish_layer_version", "self, spec"),
    SignatureCheck("moto.awslambda.models:LayerStorage.get_layer_version_by_arn", "self, layer_version_arn"),
    SignatureCheck("moto.awslambda.models:LayerStorage.get_layer_versions", "self, layer_name"),
)

# Publisher accounts whose layers are auto-seeded when a function references them.
KNOWN_PUBLISHER_ACCOUNTS = frozenset({"017000801446"})  # AWS Lambda Powertools

# Layer name -> the Python package a local environment imports in its place.
KNOWN_PUBLIC_LAYERS: dict[str, str] = {
    "AWSLambdaPowertoolsPythonV2": "aws_lambda_powertools",
    "AWSLambdaPowertoolsPythonV2-Arm64": "aws_lambda_powertools",
    "AWSLambdaPowertoolsPythonV3-python311-x86_64": "aws_lambda_powertools",
    "AWSLambdaPowertoolsPythonV3-python311-arm64": "aws_lambda_powertools",
    "AWSLambdaPowertoolsPythonV3-python312-x86_64": "aws_lambda_powertools",
    "AWSLambdaPowertoolsPythonV3-python312-arm64": "aws_lambda_powertools",
    "AWSLambdaPowertoolsPythonV3-python313-x86_64": "aws_lambda_powertools",
    "AWSLambdaPowertoolsPythonV3-python313-arm64": "aws_lambda_powertools",
    "AWSLambdaPowertoolsTypeScriptV2": "@aws-lambda-powertools",
}

# A public layer version beyond this is certainly a typo; seeding it would be slow.
MAX_SEEDED_VERSION = 500

_LAYER_VERSION_ARN = re.compile(
    r"^arn:(?P<partition>aws[\w-]*):lambda:(?P<region>[\w-]+):(?P<account>\d{12}):"
    r"layer:(?P<name>[A-Za-z0-9_-]+):(?P<version>\d+)$"
)


def parse_layer_version_arn(arn: str) -> tuple[str, str, str, int]:
    """``(region, account, layer_name, version)`` of a layer version ARN."""
    match = _LAYER_VERSION_ARN.match(arn)
    if not match:
        raise SandboxError(
            f"{arn!r} is not a layer version ARN",
            where="layers",
            hint="expected arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION",
        )
    return match["region"], match["account"], match["name"], int(match["version"])


def public_layer_package(layer_version_arn: str) -> str | None:
    """The locally installed package that stands in for a well-known public layer, else None.

    ``arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:21`` ->
    ``"aws_lambda_powertools"``; a private layer (any other account) -> None.
    """
    match = _LAYER_VERSION_ARN.match(layer_version_arn)
    if not match or match["account"] not in KNOWN_PUBLISHER_ACCOUNTS:
        return None
    return KNOWN_PUBLIC_LAYERS.get(match["name"])


def seed_public_layer(arn: str) -> Any:
    """Publish the layer in its publisher account/region up to the ARN's version.

    Returns moto's ``LayerVersion`` for ``arn``. Versions are numbered by publishing,
    so this publishes ``version - existing`` empty versions. The caller holds
    ``backend_lock`` (or runs before the server serves requests).
    """
    from moto.awslambda.models import lambda_backends

    region, account, name, version = parse_layer_version_arn(arn)
    if version > MAX_SEEDED_VERSION:
        raise SandboxError(
            f"layer version {version} is above {MAX_SEEDED_VERSION}", where=arn, hint="check the layer ARN"
        )
    backend = lambda_backends[account][region]
    existing = len(backend.list_layer_versions(name))
    content = {"ZipFile": _empty_layer_zip()}
    for _ in range(existing, version):
        backend.publish_layer_version(
            {
                "LayerName": name,
                "Content": dict(content),
                "Description": "public layer seeded by lambda-processor",
            }
        )
    return backend._layers.get_layer_version_by_arn(arn)


def install(patches: PatchSet) -> None:
    """Make moto's layer lookup honour the ARN's account and region."""
    from moto.awslambda.models import LambdaBackend

    patches.replace(LambdaBackend, "layers_versions_by_arn", _layers_versions_by_arn)


def _layers_versions_by_arn(self: Any, layer_version_arn: str) -> Any:
    from moto.awslambda.models import lambda_backends

    match = _LAYER_VERSION_ARN.match(layer_version_arn)
    if not match:
        return None
    account, region = match["account"], match["region"]
    if (account, region) == (self.account_id, self.region_name):
        owner = self
    else:
        owner = lambda_backends[account][region]
    found = owner._layers.get_layer_version_by_arn(layer_version_arn)
    if found is None and account in KNOWN_PUBLISHER_ACCOUNTS:
        found = seed_public_layer(layer_version_arn)
    return found


_EMPTY_LAYER_ZIP: str | None = None


def _empty_layer_zip() -> str:
    """A tiny layer archive, base64-encoded as the PublishLayerVersion API body carries it."""
    global _EMPTY_LAYER_ZIP
    if _EMPTY_LAYER_ZIP is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("python/.lambda-processor-public-layer", "provided locally\n")
        _EMPTY_LAYER_ZIP = base64.b64encode(buffer.getvalue()).decode("ascii")
    return _EMPTY_LAYER_ZIP

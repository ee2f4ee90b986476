"""The embedded AWS (moto in-process) and its adapter.

Public API::

    from lambda_processor.sandbox import EmbeddedAws, SandboxHooks, backend_lock

    with EmbeddedAws.start(port=0) as aws:      # 127.0.0.1 only
        aws.endpoint_url, aws.port, aws.region, aws.account_id
        aws.set_hooks(SandboxHooks(invoke=..., sns_publish=..., eventbridge_target=...))

In-process access (no HTTP) lives in ``lambda_processor.sandbox.moto_adapter.direct``;
least-privilege enforcement in ``lambda_processor.sandbox.moto_adapter.iam_patches``.
moto is not thread-safe: hold ``backend_lock`` around any direct backend access.
"""

from __future__ import annotations

from .moto_adapter import (
    KNOWN_PUBLIC_LAYERS,
    InvokeOutcome,
    InvokeRejected,
    SandboxError,
    SandboxHooks,
    backend_lock,
    public_layer_package,
    render_target_input,
    seed_public_layer,
)
from .server import EmbeddedAws

__all__ = [
    "KNOWN_PUBLIC_LAYERS",
    "EmbeddedAws",
    "InvokeOutcome",
    "InvokeRejected",
    "SandboxError",
    "SandboxHooks",
    "backend_lock",
    "public_layer_package",
    "render_target_input",
    "seed_public_layer",
]

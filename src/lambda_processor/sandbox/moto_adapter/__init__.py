"""Every touch of moto internals, pinned to moto 5.2.5.

Submodules, one concern each: ``lambda_patches`` (invoke routing, dropped fields),
``esm_patches`` (moto's own SQS->Lambda delivery off), ``sns_patches``,
``events_patches`` (+ pure ``events_input``), ``layers`` (public layers),
``iam_patches`` (least privilege for STS credentials), ``cloudwatch_patches``
(DescribeAlarmHistory), ``direct`` (fast in-process
access for the data plane), ``locking`` (the backend lock).

Locking rule: moto is not thread-safe. The server holds :data:`backend_lock` for each
HTTP request; any other thread touching a moto backend (or a model object it returned)
must hold it too, e.g. ``with backend_lock: ...``. The helpers in ``direct`` take it
themselves. Never run user code or block while holding it: hooks called under the lock
only enqueue, and waits use ``backend_lock.suspended()``.

``self_test()`` checks the moto version and the parameter names of every patched or
relied-upon moto function, and raises :class:`MotoVersionError` naming what changed.
"""

from __future__ import annotations

import threading

from . import cloudwatch_patches, esm_patches, events_patches, iam_patches, lambda_patches, layers, locking_patches, sns_patches
from .errors import MotoVersionError, SandboxError
from .events_input import render_target_input
from .iam_patches import (
    disable_iam_enforcement,
    enable_iam_enforcement,
    iam_enforcement_enabled,
    mint_role_credentials,
)
from .hooks import InvokeOutcome, InvokeRejected, SandboxHooks, current_hooks, set_hooks
from .layers import KNOWN_PUBLIC_LAYERS, public_layer_package, seed_public_layer
from .locking import BackendLock, backend_lock
from .patching import PatchSet, check_problem

MOTO_VERSION = "5.2.5"

_PATCH_MODULES = (
    lambda_patches,
    esm_patches,
    locking_patches,
    layers,
    sns_patches,
    events_patches,
    iam_patches,
    cloudwatch_patches,
)

__all__ = [
    "MOTO_VERSION",
    "KNOWN_PUBLIC_LAYERS",
    "BackendLock",
    "InvokeOutcome",
    "InvokeRejected",
    "MotoVersionError",
    "SandboxError",
    "SandboxHooks",
    "backend_lock",
    "current_hooks",
    "disable_iam_enforcement",
    "enable_iam_enforcement",
    "iam_enforcement_enabled",
    "mint_role_credentials",
    "install",
    "installed",
    "render_target_input",
    "public_layer_package",
    "reset_state",
    "seed_public_layer",
    "self_test",
    "set_hooks",
    "uninstall",
]

_patches: PatchSet | None = None
_install_lock = threading.Lock()


def _all_checks() -> list:
    from . import direct

    return [check for module in (*_PATCH_MODULES, direct) for check in module.CHECKS]


def self_test() -> None:
    """Fail loudly if the installed moto is not the one this adapter was verified against."""
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise MotoVersionError(
            f"moto {moto.__version__} is installed, but the embedded AWS is verified against moto {MOTO_VERSION}",
            where="moto",
            hint=f"install moto=={MOTO_VERSION} (bash scripts/bootstrap.sh)",
        )
    problems = [problem for check in _all_checks() if (problem := check_problem(check))]
    if problems:
        raise MotoVersionError(
            "moto internals the adapter patches have changed: " + "; ".join(problems),
            where="lambda_processor.sandbox.moto_adapter",
            hint=f"pin moto=={MOTO_VERSION} or update the adapter",
        )


def install(hooks: SandboxHooks | None = None) -> None:
    """Self-test, then patch moto (once per process until ``uninstall``) and register ``hooks``."""
    global _patches
    with _install_lock:
        if _patches is None:
            self_test()
            patches = PatchSet()
            try:
                for module in _PATCH_MODULES:
                    module.install(patches)
            except Exception:
                patches.restore()
                raise
            _patches = patches
        if hooks is not None:
            set_hooks(hooks)


def installed() -> bool:
    """Whether the patches are applied now."""
    return _patches is not None


def uninstall() -> None:
    """Restore moto's original behaviour and forget the hooks."""
    global _patches
    with _install_lock:
        if _patches is not None:
            _patches.restore()
            _patches = None
        set_hooks(SandboxHooks())
        disable_iam_enforcement()


def reset_state() -> None:
    """Drop every backend's data, like ``POST /moto-api/reset``, under the backend lock."""
    from moto.moto_api._internal.models import moto_api_backend

    with backend_lock:
        moto_api_backend.reset()

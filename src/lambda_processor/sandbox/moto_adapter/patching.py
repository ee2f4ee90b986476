"""Replacing moto attributes reversibly, and the checks that prove moto still fits.

Every submodule that patches moto declares the moto names it depends on as
:class:`SignatureCheck` / :class:`AttributeUseCheck` values; ``self_test()`` runs them
all, so a moto upgrade fails at start-up with a message naming what changed instead
of misbehaving later.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any

ORIGINAL_ATTRIBUTE = "__moto_adapter_original__"


@dataclass(frozen=True)
class SignatureCheck:
    """``target`` ("module:Class.attr") must have exactly these parameter names."""

    target: str
    parameters: str


@dataclass(frozen=True)
class AttributeUseCheck:
    """The function ``target`` must still read or write ``self.<attribute>``."""

    target: str
    attribute: str


def resolve(target: str) -> Any:
    """Import ``"package.module:Class.attribute"`` and return the object it names.

    A class is moto's own even when the module attribute now points at a subclass
    (the SQS store replaces ``moto.sqs.models.Queue``): checks and patches target the
    class moto defines, which subclasses inherit from.
    """
    module_name, _, qualname = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
        if isinstance(obj, type):
            obj = _defined_in(obj, module_name, part)
    return obj


def _defined_in(cls: type, module_name: str, name: str) -> type:
    for candidate in cls.__mro__:
        if candidate.__module__ == module_name and candidate.__name__ == name:
            return candidate
    return cls


def unwrap(obj: Any) -> Any:
    """The moto original behind one of our replacements (or ``obj`` itself)."""
    while hasattr(obj, ORIGINAL_ATTRIBUTE):
        obj = getattr(obj, ORIGINAL_ATTRIBUTE)
    return obj


def parameter_list(function: Any) -> str:
    """Parameter names only, e.g. ``"self, body, *args, **kwargs"``; annotations vary too much."""
    names = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            names.append(f"*{parameter.name}")
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            names.append(f"**{parameter.name}")
        else:
            names.append(parameter.name)
    return ", ".join(names)


def check_problem(check: SignatureCheck | AttributeUseCheck) -> str | None:
    """Why ``check`` fails against the installed moto, or None when it holds."""
    try:
        target = unwrap(resolve(check.target))
    except (ImportError, AttributeError) as error:
        return f"{check.target} no longer exists ({error})"
    if isinstance(check, SignatureCheck):
        found = parameter_list(target)
        if found != check.parameters:
            return f"{check.target} has parameters ({found}), expected ({check.parameters})"
        return None
    code = getattr(target, "__code__", None)
    if code is None or check.attribute not in code.co_names:
        return f"{check.target} no longer uses .{check.attribute}"
    return None


class PatchSet:
    """Attributes replaced on moto classes, restorable in reverse order."""

    def __init__(self) -> None:
        self._applied: list[tuple[Any, str, Any]] = []

    def replace(self, owner: Any, name: str, replacement: Any) -> Any:
        """Set ``owner.name = replacement``; returns the original (as looked up)."""
        missing = object()
        raw_original = owner.__dict__.get(name, missing)
        original = getattr(owner, name, None)
        if callable(replacement) and original is not None:
            try:
                setattr(replacement, ORIGINAL_ATTRIBUTE, original)
            except AttributeError:  # e.g. a descriptor instance with __slots__
                pass
        self._applied.append((owner, name, raw_original if raw_original is not missing else None))
        setattr(owner, name, replacement)
        return original

    def restore(self) -> None:
        """Put every replaced attribute back, newest first."""
        while self._applied:
            owner, name, raw_original = self._applied.pop()
            if raw_original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, raw_original)

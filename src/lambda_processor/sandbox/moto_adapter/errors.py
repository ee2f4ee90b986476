"""Errors raised by the embedded AWS and its moto adapter."""

from __future__ import annotations

from lambda_processor.errors import LambdaProcessorError


class SandboxError(LambdaProcessorError):
    """The embedded AWS could not do what was asked (start, seed, look up, mint)."""


class MotoVersionError(SandboxError):
    """The installed moto is not the version the adapter was written and verified against."""

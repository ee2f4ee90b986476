"""One error root for the whole runtime.

Every error says what failed, where (a field path, a resource address or a function
name) and what to do next. The CLI prints ``str(error)`` without a traceback unless
``--debug`` is given.
"""

from __future__ import annotations


class LambdaProcessorError(Exception):
    """Root of every error the runtime raises on purpose."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class TerraformError(LambdaProcessorError):
    """terraform is missing, or one of its commands failed."""


class ConfigError(LambdaProcessorError):
    """A value in the deployment or on the command line breaks a rule."""

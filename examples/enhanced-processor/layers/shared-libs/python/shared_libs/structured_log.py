"""JSON logging: AWS Lambda Powertools' Logger when the Powertools layer is attached, else a
minimal JSON-lines logger with the same call shape (``logger.info("message", key=value)``)."""

from __future__ import annotations

import json
import os
import sys

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}


class JsonLogger:
    """Writes ``{"level", "service", "message", ...fields}`` lines to stdout."""

    def __init__(self, service: str, level: str | None = None):
        self.service = service
        self.threshold = LEVELS.get((level or os.environ.get("LOG_LEVEL", "INFO")).upper(), 20)

    def _log(self, level: str, message: str, fields: dict) -> None:
        if LEVELS[level] >= self.threshold:
            line = {"level": level, "service": self.service, "message": message, **fields}
            print(json.dumps(line, default=str), file=sys.stdout, flush=True)

    def debug(self, message: str, **fields) -> None:
        """Log at DEBUG."""
        self._log("DEBUG", message, fields)

    def info(self, message: str, **fields) -> None:
        """Log at INFO."""
        self._log("INFO", message, fields)

    def warning(self, message: str, **fields) -> None:
        """Log at WARNING."""
        self._log("WARNING", message, fields)

    def error(self, message: str, **fields) -> None:
        """Log at ERROR."""
        self._log("ERROR", message, fields)


class _PowertoolsAdapter:
    """Powertools' Logger behind the JsonLogger call shape (fields go to ``extra``)."""

    def __init__(self, logger):
        self._logger = logger

    def __getattr__(self, level: str):
        method = getattr(self._logger, level)
        return lambda message, **fields: method(message, extra=fields)


def get_logger(service: str):
    """A structured logger: Powertools' if importable, otherwise JsonLogger."""
    try:
        from aws_lambda_powertools import Logger
    except ImportError:
        return JsonLogger(service)
    return _PowertoolsAdapter(Logger(service=service))

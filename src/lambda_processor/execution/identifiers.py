"""Pure builders for the names and ids Lambda hands an execution environment.

Randomness and time come in as arguments so the shapes are testable; callers pass
``secrets.token_hex`` and ``time.time()``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from lambda_processor.execution.model import LATEST_VERSION


def log_stream_name(now_epoch: float, random_hex32: str, version: str = LATEST_VERSION) -> str:
    """``YYYY/MM/DD/[<version>]<32 hex>``, dated in UTC (INV-32)."""
    if len(random_hex32) != 32:
        raise ValueError(f"log stream suffix must be 32 hex characters (got {len(random_hex32)})")
    day = time.strftime("%Y/%m/%d", time.gmtime(now_epoch))
    return f"{day}/[{version}]{random_hex32}"


@dataclass(frozen=True)
class TraceContext:
    """One invocation's X-Ray trace header (INV-40 ``_X_AMZN_TRACE_ID``)."""

    root: str  # 1-<8 hex epoch seconds>-<24 hex>
    parent: str  # 16 hex: the segment id of the Lambda service segment
    sampled: bool

    @property
    def header(self) -> str:
        """The value of ``_X_AMZN_TRACE_ID`` / ``X-Amzn-Trace-Id``."""
        return f"Root={self.root};Parent={self.parent};Sampled={1 if self.sampled else 0}"


def trace_context(now_epoch: float, random_hex24: str, random_hex16: str, *, sampled: bool) -> TraceContext:
    """Build a trace header in X-Ray's format: ``1-<time>-<24 hex>`` root, 16-hex parent."""
    if len(random_hex24) != 24 or len(random_hex16) != 16:
        raise ValueError("trace ids need 24 and 16 hex characters")
    return TraceContext(root=f"1-{int(now_epoch):08x}-{random_hex24}", parent=random_hex16, sampled=sampled)


def iso_timestamp(epoch_seconds: float) -> str:
    """``2024-01-31T12:00:00.123Z``: the timestamp format of Lambda's own log lines."""
    millis = int(round(epoch_seconds * 1000)) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(epoch_seconds))) + f".{millis:03d}Z"

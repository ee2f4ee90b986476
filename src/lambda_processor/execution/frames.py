"""Length-prefixed frames between the runtime and its workers.

A frame is ``>II`` (header length, body length), a JSON header, then raw body bytes.
The body carries the event or the response payload untouched, so payloads are never
JSON-encoded twice. The workers (``python_worker.py``, ``node_worker.js``) carry their
own ten-line copy of this format because they must not import anything from the
runtime into the handler's process.
"""

from __future__ import annotations

import json
import struct

PREFIX = struct.Struct(">II")


def encode_frame(header: dict, body: bytes = b"") -> bytes:
    """One frame: prefix, JSON header, body."""
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    return PREFIX.pack(len(header_bytes), len(body)) + header_bytes + body


class FrameDecoder:
    """Turns a byte stream into ``(header, body)`` frames as bytes arrive."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[dict, bytes]]:
        """Add bytes; return every frame now complete, in order."""
        self._buffer += data
        frames = []
        while len(self._buffer) >= PREFIX.size:
            header_length, body_length = PREFIX.unpack_from(self._buffer)
            end = PREFIX.size + header_length + body_length
            if len(self._buffer) < end:
                break
            header = json.loads(bytes(self._buffer[PREFIX.size : PREFIX.size + header_length]))
            body = bytes(self._buffer[PREFIX.size + header_length : end])
            del self._buffer[:end]
            frames.append((header, body))
        return frames

"""Command line: parse arguments, call one function, format the result."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("lambda-processor: the runtime is being built; see README.md", file=sys.stderr)
    return 2

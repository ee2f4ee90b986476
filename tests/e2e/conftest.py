"""Fixtures for the end-to-end tests (helpers live in e2e_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_support import copy_workspace


@pytest.fixture(scope="session")
def e2e_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch copy of addons/, examples/ and tests/e2e/fixtures/ shared by every e2e module."""
    return copy_workspace(tmp_path_factory.mktemp("e2e-workspace"))

"""Fixtures for the push-source end-to-end tests: one scratch copy of the examples per session.

Each test module starts its own module-scoped sandbox (see ``push_support.running_sandbox``),
so only one embedded AWS runs at a time and each example is applied once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .push_support import copy_workspace


@pytest.fixture(scope="session")
def examples_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``examples/`` (and the ``addons/`` they reference) copied to a scratch folder."""
    return copy_workspace(tmp_path_factory.mktemp("e2e-push-workspace"))

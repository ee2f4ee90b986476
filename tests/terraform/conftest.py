"""Fixtures for the terraform runner tests (helpers live in terraform_support.py)."""

from terraform_support import moto_endpoint, sample_apply  # noqa: F401  (pytest fixtures)

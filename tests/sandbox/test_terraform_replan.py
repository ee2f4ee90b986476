"""Terraform against the embedded AWS: no drift after apply or update for the fields moto drops."""

from __future__ import annotations

import io
import shutil
import socket
import zipfile
from pathlib import Path

import pytest

from lambda_processor.terraform import toolchain

pytestmark = pytest.mark.terraform

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dropped_fields"
PLAN_HAS_CHANGES = 2


def require_terraform() -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform not on PATH")
    if toolchain.find_provider_mirror() is None:
        try:
            socket.getaddrinfo("registry.terraform.io", 443)
        except OSError:
            pytest.skip("the hashicorp/aws provider is absent: no local mirror and no registry access")


def test_plan_after_apply_and_after_update_is_empty(aws, tmp_path):
    require_terraform()
    config = tmp_path / "dropped_fields"
    shutil.copytree(FIXTURE, config)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    (config / "fn.zip").write_bytes(buffer.getvalue())
    env = {
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": aws.region,
        "AWS_PROFILE": "",
    }

    def terraform(*args: str, check: bool = True):
        return toolchain.run_terraform([*args, "-input=false", "-no-color"], config, env=env, check=check, timeout=600)

    toolchain.init(config, env=env)
    terraform("apply", "-auto-approve", "-parallelism=20")
    first_plan = terraform("plan", "-detailed-exitcode", check=False)
    assert first_plan.returncode == 0, first_plan.stdout[-3000:]

    updated = ["-var=tracing_mode=PassThrough", "-var=ephemeral_storage_mb=2048", "-var=kms_key_suffix=abcd"]
    terraform("apply", "-auto-approve", *updated)
    second_plan = terraform("plan", "-detailed-exitcode", *updated, check=False)
    assert second_plan.returncode == 0, second_plan.stdout[-3000:]

    changed_back = terraform("plan", "-detailed-exitcode", check=False)
    assert changed_back.returncode == PLAN_HAS_CHANGES  # the sandbox really stored the update

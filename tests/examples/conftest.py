"""Fixtures for the example tests: a scratch copy of the repository subtree, a moto server,
terraform plans against it, and moto's in-process mock for handler tests.

Terraform always runs in a temporary COPY of ``addons/`` + ``examples/``: the build output,
``.terraform`` folders and the generated ``*_override.tf`` never touch the working tree.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from example_support import (
    EXAMPLES_DIR,
    MOTO_PROVIDER_OVERRIDE,
    REPO_ROOT,
    output_of,
    require_terraform,
    run_build_script,
    terraform,
)

from lambda_processor.terraform import toolchain

COPY_IGNORE = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", "build", "__pycache__", "*.pyc", "*_override.tf", "*.tfstate*", "*.tfplan"
)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch copy of the repository subtree the examples reference (addons/ and examples/)."""
    root = tmp_path_factory.mktemp("examples-workspace")
    shutil.copytree(REPO_ROOT / "addons", root / "addons", ignore=COPY_IGNORE)
    shutil.copytree(EXAMPLES_DIR, root / "examples", ignore=COPY_IGNORE)
    return root


class InitializedExamples:
    """Builds and `terraform init`s each example in the workspace once per session."""

    def __init__(self, workspace: Path):
        self.workspace = workspace
        self._ready: dict[str, Path] = {}

    def get(self, name: str) -> Path:
        """The example's folder in the workspace, built and initialized (skips if terraform is absent)."""
        require_terraform()
        if name in self._ready:
            return self._ready[name]
        directory = self.workspace / "examples" / name
        built = run_build_script(directory)
        assert built.returncode == 0, f"{name}/build.sh failed:\n{built.stdout}\n{built.stderr}"
        init = terraform(["init", "-input=false", "-no-color", "-backend=false"], directory)
        if init.returncode != 0 and toolchain.find_provider_mirror() is None and (
            "Failed to query available provider packages" in init.stderr
            or "could not connect to registry" in init.stderr.lower()
        ):
            pytest.skip("the hashicorp/aws provider is not installable here: no local mirror and no registry access")
        assert init.returncode == 0, f"terraform init failed in {name}:\n{output_of(init)}"
        self._ready[name] = directory
        return directory


@pytest.fixture(scope="session")
def initialized_examples(workspace: Path) -> InitializedExamples:
    """Lazily built + initialized examples in the scratch workspace."""
    return InitializedExamples(workspace)


@pytest.fixture(scope="session")
def moto_endpoint() -> str:
    """A moto server on 127.0.0.1 for the whole session; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_terraform_env(moto_endpoint: str) -> dict[str, str]:
    """terraform's environment for talking to the moto server: dummy keys, no real profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=moto_endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
    )
    return env


@pytest.fixture(scope="session")
def planned(initialized_examples: InitializedExamples, moto_terraform_env: dict[str, str]):
    """``planned(name, **variables)`` -> the JSON plan (terraform show -json) of the example against moto."""
    plans: dict[tuple, dict] = {}

    def plan(name: str, **variables: object) -> dict:
        key = (name, tuple(sorted(variables.items())))
        if key not in plans:
            directory = initialized_examples.get(name)
            (directory / "moto_override.tf").write_text(MOTO_PROVIDER_OVERRIDE)
            var_args = [
                f"-var={k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in sorted(variables.items())
            ]
            plan_file = f"moto-{len(plans)}.tfplan"
            result = terraform(
                ["plan", "-input=false", "-no-color", "-lock=false", f"-out={plan_file}", *var_args],
                directory,
                moto_terraform_env,
            )
            assert result.returncode == 0, f"terraform plan of {name} against moto failed:\n{output_of(result)}"
            shown = terraform(["show", "-json", plan_file], directory, moto_terraform_env)
            assert shown.returncode == 0, output_of(shown)
            plans[key] = json.loads(shown.stdout)
        return plans[key]

    return plan


@pytest.fixture
def aws_sandbox(monkeypatch: pytest.MonkeyPatch):
    """moto's in-process mock with dummy credentials; real endpoints and profiles are scrubbed."""
    from moto import mock_aws

    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield


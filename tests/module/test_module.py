"""The Terraform module's own checks, run from pytest: fmt, validate, `terraform test`, and the wording of its
validation messages.

Terraform runs in a scratch copy of the module, so `.terraform/` and lock files never land in the working tree.
Everything skips (saying why) only when terraform itself or the aws provider is truly unavailable.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from lambda_processor.terraform import toolchain

pytestmark = pytest.mark.terraform

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULE_DIR = REPO_ROOT / "addons" / "messaging" / "lambda-processor"
COPY_IGNORE = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "*.tfplan", "__pycache__")

# `terraform test` runs ~100 plans against a mocked provider; each loads the aws provider schema.
TERRAFORM_TEST_TIMEOUT_S = 900


def _require_terraform() -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform not on PATH (install terraform >= 1.9 to run the module's tests)")


def _terraform(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return toolchain.run_terraform(args, cwd, check=False, timeout=timeout)


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"


@pytest.fixture(scope="module")
def initialized_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch copy of the module after `terraform init -backend=false` (skips if the provider is unavailable)."""
    _require_terraform()
    copy = tmp_path_factory.mktemp("module") / "lambda-processor"
    shutil.copytree(MODULE_DIR, copy, ignore=COPY_IGNORE)
    init = _terraform(["init", "-input=false", "-no-color", "-backend=false"], copy)
    if init.returncode != 0 and toolchain.find_provider_mirror() is None and (
        "Failed to query available provider packages" in init.stderr
        or "could not connect to registry" in init.stderr.lower()
    ):
        pytest.skip("the hashicorp/aws provider is not installable here: no local mirror and no registry access")
    assert init.returncode == 0, f"terraform init failed:\n{_output(init)}"
    return copy


def test_module_is_terraform_fmt_clean() -> None:
    _require_terraform()
    result = _terraform(["fmt", "-check", "-recursive", "-diff", "-no-color"], MODULE_DIR)
    assert result.returncode == 0, f"terraform fmt would change these files:\n{_output(result)}"


def test_module_validates(initialized_module: Path) -> None:
    result = _terraform(["validate", "-no-color"], initialized_module)
    assert result.returncode == 0, _output(result)
    assert "The configuration is valid" in result.stdout


def test_module_contract_tests_pass(initialized_module: Path) -> None:
    result = _terraform(["test", "-no-color"], initialized_module, timeout=TERRAFORM_TEST_TIMEOUT_S)
    assert result.returncode == 0, _output(result)
    assert "0 failed" in result.stdout
    # Guards against a refactor that silently drops whole suites.
    passed = int(result.stdout.rsplit("Success! ", 1)[1].split(" passed", 1)[0])
    assert passed >= 90, f"only {passed} terraform test runs passed:\n{result.stdout[-2000:]}"


# ---------------------------------------------------------------------------------------------------------------------
# Validation messages: each names the input path and the rule and shows the bad value.
# ---------------------------------------------------------------------------------------------------------------------

BASE_VARIABLES = {
    "project_name": '"shop"',
    "environment": '"dev"',
    "function_name": '"orders"',
    "filename": '"orders.zip"',
}

# case name -> (variables overriding BASE_VARIABLES, exact message Terraform must print)
MESSAGE_CASES = {
    "sqs_1_fifo_batch_size": (
        {"sqs_config": '{ queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders.fifo", batch_size = 20 }'},
        "sqs_config.batch_size must be 1-10 for FIFO queues (got 20).",
    ),
    "sqs_3_batch_above_10_without_window": (
        {"sqs_config": '{ queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", batch_size = 100 }'},
        "sqs_config.batch_size above 10 needs sqs_config.maximum_batching_window_in_seconds >= 1"
        " (got batch_size 100, window 0).",
    ),
    "function_name_too_long": (
        {"function_name": '"' + "x" * 60 + '"'},
        "The function name <project_name>-<environment>-<function_name> must be at most 64 characters"
        f' (got 69: "shop-dev-{"x" * 60}").',
    ),
    "inv_40_reserved_environment_key": (
        {"environment_variables": '{ AWS_REGION = "eu-west-1", LOG_LEVEL = "INFO" }'},
        'environment_variables must not set keys reserved by Lambda (got ["AWS_REGION"]); Lambda sets them itself.',
    ),
    "code_source_two_given": (
        {"s3_bucket": '"code"', "s3_key": '"orders.zip"'},
        "Exactly one code source is required: filename (zip), s3_bucket + s3_key (zip in S3) or"
        ' package_type = "Image" + image_uri (got ["filename","s3_bucket/s3_key"]).',
    ),
    "runtime_with_image": (
        {
            "filename": "null",
            "package_type": '"Image"',
            "image_uri": '"123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:1"',
            "runtime": '"python3.11"',
        },
        'runtime must not be set when package_type = "Image": the image defines its runtime (got "python3.11").',
    ),
    "flt_6_pattern_not_json": (
        {
            "sqs_config": '{ queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders",'
            ' filter_criteria = { filters = [{ pattern = jsonencode({ body = { a = ["x"] } }) },'
            ' { pattern = "not json" }] } }'
        },
        "sqs_config.filter_criteria.filters[*].pattern must be a JSON object, e.g."
        ' jsonencode({ body = { eventType = ["CRITICAL"] } }) (bad filters at indexes [1]).',
    ),
    "log_retention_value": (
        {"log_retention_days": "10"},
        "log_retention_days must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,"
        " 1827, 2192, 2557, 2922, 3288, 3653 (got 10).",
    ),
}


def _message_test_file(variables: dict[str, str]) -> str:
    merged = {**BASE_VARIABLES, **variables}
    assignments = "\n".join(f"    {name} = {value}" for name, value in merged.items())
    return textwrap.dedent(
        """\
        mock_provider "aws" {
          source = "./tests/mocks"
        }

        run "invalid" {
          command = plan

          variables {
        %s
          }
        }
        """
    ) % assignments


@pytest.fixture(scope="module")
def validation_messages(initialized_module: Path) -> dict[str, list[str]]:
    """Runs one deliberately invalid plan per MESSAGE_CASES entry; returns each case's error details."""
    messages_dir = initialized_module / "message_cases"
    messages_dir.mkdir()
    for case, (variables, _) in MESSAGE_CASES.items():
        (messages_dir / f"{case}.tftest.hcl").write_text(_message_test_file(variables))
    result = _terraform(
        ["test", "-no-color", "-json", "-test-directory=message_cases"], initialized_module, timeout=600
    )
    details: dict[str, list[str]] = {case: [] for case in MESSAGE_CASES}
    for line in result.stdout.splitlines():
        event = json.loads(line)
        diagnostic = event.get("diagnostic")
        test_file = event.get("@testfile", "")
        if diagnostic and diagnostic.get("severity") == "error" and test_file:
            details[Path(test_file).name.removesuffix(".tftest.hcl")].append(diagnostic.get("detail", ""))
    return details


@pytest.mark.parametrize("case", sorted(MESSAGE_CASES))
def test_validation_message_names_input_rule_and_value(validation_messages: dict[str, list[str]], case: str) -> None:
    expected = MESSAGE_CASES[case][1]
    details = validation_messages[case]
    assert details, f"{case}: the plan did not fail"
    first_lines = [detail.split("\n\nThis was checked by", 1)[0] for detail in details]
    assert expected in first_lines, f"{case}: expected {expected!r}, got {first_lines!r}"


# ---------------------------------------------------------------------------------------------------------------------
# Coverage of the module's own contract, read from its source (no terraform needed).
# ---------------------------------------------------------------------------------------------------------------------


def _top_level_blocks(text: str, kind: str) -> dict[str, str]:
    """Bodies of the top-level `<kind> "<name>" { ... }` blocks of an HCL file, by name (brace counting)."""
    blocks: dict[str, str] = {}
    for match in re.finditer(rf'^{kind} "([^"]+)" {{', text, flags=re.MULTILINE):
        depth, position = 1, match.end()
        while depth:
            char = text[position]
            depth += {"{": 1, "}": -1}.get(char, 0)
            position += 1
        blocks[match.group(1)] = text[match.end() : position - 1]
    return blocks


def _module_blocks(kind: str) -> dict[str, str]:
    blocks: dict[str, str] = {}
    for path in sorted(MODULE_DIR.glob("*.tf")):
        blocks.update(_top_level_blocks(path.read_text(), kind))
    return blocks


def _expected_failures(test_file: str) -> list[str]:
    """Every `expect_failures` entry of a test file, one item per run that lists it."""
    text = (MODULE_DIR / "tests" / test_file).read_text()
    entries: list[str] = []
    for listed in re.findall(r"expect_failures\s*=\s*\[([^\]]*)\]", text):
        entries += [item.strip() for item in listed.split(",") if item.strip()]
    return entries


def test_every_variable_and_output_has_a_description() -> None:
    blocks = {**_module_blocks("variable"), **_module_blocks("output")}
    assert blocks, "no variables or outputs found"
    undocumented = [name for name, body in blocks.items() if not re.search(r'^\s*description\s*=\s*"\S', body, re.M)]
    assert undocumented == []


def test_readme_documents_every_variable_and_output() -> None:
    readme = (MODULE_DIR / "README.md").read_text()
    names = [*_module_blocks("variable"), *_module_blocks("output")]
    missing = [name for name in names if f"`{name}`" not in readme]
    assert missing == []


def test_every_validation_rule_has_an_expect_failures_run() -> None:
    """Each variable is expected to fail in at least as many runs as it has validation blocks."""
    runs_per_variable: dict[str, int] = {}
    for entry in _expected_failures("validation.tftest.hcl"):
        runs_per_variable[entry] = runs_per_variable.get(entry, 0) + 1
    short = {
        name: (body.count("validation {"), runs_per_variable.get(f"var.{name}", 0))
        for name, body in _module_blocks("variable").items()
        if body.count("validation {") > runs_per_variable.get(f"var.{name}", 0)
    }
    assert short == {}, "variable: (validation rules, runs expecting its failure)"


def test_every_warning_check_has_a_run_that_triggers_it() -> None:
    checks = set(_module_blocks("check"))
    triggered = {entry.removeprefix("check.") for entry in _expected_failures("warnings.tftest.hcl")}
    assert checks and checks - triggered == set()

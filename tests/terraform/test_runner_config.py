"""The runner's pure parts: reading provider aliases and backends, the override, the env."""

from __future__ import annotations

import json
from pathlib import Path

from lambda_processor.terraform.runner import (
    OVERRIDE_FILE_NAME,
    declares_backend,
    find_aws_provider_aliases,
    plain_outputs,
    progress_line,
    render_override,
    sandbox_environment,
    terraform_error_text,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)


def test_aliases_are_found_in_every_tf_file_and_sorted(tmp_path):
    write(tmp_path, "a.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\nprovider "aws" {\n  alias = "west"\n}\n')
    write(tmp_path, "b.tf", 'provider "aws" {\n  alias  = "east"\n  region = "us-east-1"\n}\n')
    assert find_aws_provider_aliases(tmp_path) == ("east", "west")


def test_aliases_ignore_comments_other_providers_and_nested_blocks(tmp_path):
    write(tmp_path, "main.tf", """
# provider "aws" { alias = "commented" }
/* provider "aws" {
  alias = "block-commented"
} */
provider "google" {
  alias = "not-aws"
}
provider "aws" {
  region = "x}" # alias = "trailing-comment"
  profile = "{"
  assume_role {
    alias = "nested-is-not-the-provider-alias"
  }
  default_tags {
    tags = { note = "braces } in { strings" }
  }
  alias = "real"
}
""")
    assert find_aws_provider_aliases(tmp_path) == ("real",)


def test_own_override_file_and_other_folders_are_not_scanned(tmp_path):
    write(tmp_path, OVERRIDE_FILE_NAME, 'provider "aws" {\n  alias = "stale"\n}\n')
    (tmp_path / "modules").mkdir()
    write(tmp_path / "modules", "m.tf", 'provider "aws" {\n  alias = "in-module"\n}\n')
    assert find_aws_provider_aliases(tmp_path) == ()


def test_aliases_and_backend_in_json_configuration(tmp_path):
    write(tmp_path, "providers.tf.json", json.dumps({
        "provider": {"aws": [{"region": "eu-west-1"}, {"alias": "json-west", "region": "us-west-2"}],
                     "google": {"alias": "not-aws"}},
        "terraform": {"backend": {"s3": {"bucket": "b", "key": "k"}}},
    }))
    write(tmp_path, "more.tf.json", json.dumps({"provider": [{"aws": {"alias": "json-listed"}}]}))
    assert find_aws_provider_aliases(tmp_path) == ("json-listed", "json-west")
    assert declares_backend(tmp_path)


def test_sample_fixture_has_one_alias_and_a_backend():
    assert find_aws_provider_aliases(FIXTURES / "sample") == ("logs",)
    assert declares_backend(FIXTURES / "sample")


def test_backend_detection(tmp_path):
    write(tmp_path, "main.tf", 'terraform {\n  # backend "s3" {}\n  required_version = ">= 1.6"\n}\n')
    assert not declares_backend(tmp_path)
    write(tmp_path, "backend.tf", 'terraform {\n  cloud {\n    organization = "x"\n  }\n}\n')
    assert declares_backend(tmp_path)


def test_override_neutralizes_every_provider_and_forces_local_state(tmp_path):
    text = render_override("eu-central-1", ("logs", "west"), ".lambda-processor/terraform.tfstate")
    assert text.count('provider "aws" {') == 3
    assert 'alias                       = "logs"' in text and 'alias                       = "west"' in text
    for setting in ('region                      = "eu-central-1"', 'profile                     = ""',
                    'access_key                  = "test"', "skip_credentials_validation = true",
                    "skip_requesting_account_id  = true", "skip_metadata_api_check     = true",
                    "skip_region_validation      = true", "s3_use_path_style           = true"):
        assert text.count(setting) == 3, setting
    assert 'backend "local" {\n    path = ".lambda-processor/terraform.tfstate"' in text
    assert "endpoints" not in text  # endpoints come from AWS_ENDPOINT_URL: ~2.3 s cheaper per provider


def test_override_escapes_paths_for_hcl(tmp_path):
    text = render_override("us-east-1", (), Path('/odd "dir"/${x}/terraform.tfstate'))
    assert r'path = "/odd \"dir\"/$${x}/terraform.tfstate"' in text


def test_environment_drops_real_credentials_and_points_at_sandbox(tmp_path):
    base = {
        "PATH": "/usr/bin", "HOME": "/home/u", "TF_VAR_keep": "1", "TF_WORKSPACE": "prod",
        "AWS_PROFILE": "prod", "AWS_ACCESS_KEY_ID": "AKIAREAL", "AWS_SECRET_ACCESS_KEY": "real",
        "AWS_SESSION_TOKEN": "tok", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t",
        "AWS_ENDPOINT_URL_SQS": "https://sqs.real", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/",
    }
    env = sandbox_environment(base, endpoint_url="http://127.0.0.1:5000", region="us-east-1", work_dir=tmp_path)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("test", "test")
    for removed in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                    "AWS_ENDPOINT_URL_SQS", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "TF_WORKSPACE"):
        assert removed not in env, removed
    assert env["TF_DATA_DIR"] == str(tmp_path / "tfdata")
    assert env["TF_CLI_ARGS_init"] == "-reconfigure"
    assert env["AWS_CONFIG_FILE"].startswith(str(tmp_path)) and not Path(env["AWS_CONFIG_FILE"]).exists()
    assert (env["PATH"], env["HOME"], env["TF_VAR_keep"]) == ("/usr/bin", "/home/u", "1")


# Captured from terraform 1.11.4 with -no-color (stdout and stderr merged).
NO_COLOR_FAILURE = """Plan: 2 to add, 0 to change, 0 to destroy.
aws_iam_role_policy_attachment.broken: Creating...
aws_cloudwatch_log_group.ok: Creation complete after 1s [id=/fail/ok]

Warning: Argument is deprecated

  with aws_s3_bucket.b,
  on main.tf line 9: acl is deprecated

Error: attaching IAM Policy (arn:aws:iam::123456789012:policy/nope) to IAM Role (no-such-role): NoSuchEntity

  with aws_iam_role_policy_attachment.broken,
  on main.tf line 1, in resource "aws_iam_role_policy_attachment" "broken":
   1: resource "aws_iam_role_policy_attachment" "broken" {

Error: creating SQS Queue (q): InvalidParameterValue
"""

BOXED_FAILURE = """╷
│ Error: Invalid function argument
│
│   on main.tf line 3, in resource "aws_lambda_function" "f":
│    3:   source_code_hash = filebase64sha256("missing.zip")
╵
"""


def test_error_text_keeps_error_blocks_only():
    text = terraform_error_text(NO_COLOR_FAILURE)
    assert text.startswith("Error: attaching IAM Policy")
    assert "with aws_iam_role_policy_attachment.broken," in text
    assert "Error: creating SQS Queue (q): InvalidParameterValue" in text
    assert "Warning" not in text and "Plan:" not in text and "Creation complete" not in text


def test_error_text_strips_the_box_frame():
    text = terraform_error_text(BOXED_FAILURE)
    assert text.splitlines()[0] == "Error: Invalid function argument"
    assert '3:   source_code_hash = filebase64sha256("missing.zip")' in text
    assert "│" not in text and "╵" not in text


def test_error_text_without_error_blocks_is_the_whole_output():
    assert terraform_error_text("  something odd happened\n") == "something odd happened"


def test_progress_lines_are_plan_completions_and_summary():
    assert progress_line("Plan: 28 to add, 0 to change, 0 to destroy.\n") == "Plan: 28 to add, 0 to change, 0 to destroy."
    assert progress_line("aws_sqs_queue.dlq: Creation complete after 26s [id=x]").endswith("[id=x]")
    assert progress_line("Apply complete! Resources: 28 added, 0 changed, 0 destroyed.")
    assert progress_line("aws_sqs_queue.dlq: Destruction complete after 0s")
    assert progress_line("aws_sqs_queue.dlq: Still creating... [10s elapsed]") is None
    assert progress_line('  + resource "aws_sqs_queue" "dlq" {') is None


def test_outputs_become_plain_values():
    raw = {"url": {"sensitive": False, "type": "string", "value": "http://q"},
           "secret": {"sensitive": True, "type": "string", "value": "s"},
           "names": {"sensitive": False, "type": ["list", "string"], "value": ["a", "b"]}}
    assert plain_outputs(raw) == {"url": "http://q", "secret": "s", "names": ["a", "b"]}

"""SandboxApply against a real moto server with the real terraform binary."""

from __future__ import annotations

import json

import boto3
import psutil
import pytest
from terraform_support import copy_fixture, require_terraform, tree_snapshot
from sample_state import SAMPLE_STATE_PATH, trim_state

from lambda_processor.code_store import extract_zip_cached, materialize_code
from lambda_processor.deployment import Deployment
from lambda_processor.errors import TerraformError
from lambda_processor.terraform.runner import OVERRIDE_FILE_NAME, SandboxApply

pytestmark = pytest.mark.terraform


def aws_client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def log_group_names(endpoint: str, prefix: str) -> list[str]:
    groups = aws_client("logs", endpoint).describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]
    return [group["logGroupName"] for group in groups]


def terraform_children() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "terraform" in p.name()]


# ------------------------------------------------------------------ the sample, applied once


def test_apply_returns_state_and_plain_outputs(sample_apply, moto_endpoint):
    applied = sample_apply.applied
    assert applied.config_dir == sample_apply.config_dir.resolve()
    assert applied.state_path == applied.config_dir / ".lambda-processor" / "terraform.tfstate"
    assert applied.state_path.is_file()
    assert applied.state["format_version"]
    # name_prefix came in through -var.
    assert applied.outputs["function_name"] == "sample-processor"
    assert applied.outputs["queue_url"].startswith(moto_endpoint)
    assert applied.outputs["dlq_arn"] == "arn:aws:sqs:us-east-1:123456789012:sample-processor-dlq"


def test_users_files_are_left_as_they_were(sample_apply):
    config_dir = sample_apply.config_dir
    after = tree_snapshot(config_dir)
    built = {name for name in after if name.startswith("build/")}  # the user's own build.sh made these
    assert built == {"build/function.zip", "build/layer.zip"}
    assert {k: v for k, v in after.items() if k not in built} == sample_apply.files_before
    for leftover in (OVERRIDE_FILE_NAME, ".terraform", ".terraform.lock.hcl", "terraform.tfstate"):
        assert not (config_dir / leftover).exists(), leftover
    assert (config_dir / ".lambda-processor" / "tfdata").is_dir()


def test_progress_reports_build_init_plan_and_completions(sample_apply):
    progress = sample_apply.progress
    assert any(line.startswith("running ") and line.endswith("build.sh") for line in progress)
    assert any(line.startswith("terraform init") for line in progress)
    assert any(line.startswith("Plan: ") and "to add" in line for line in progress)
    assert any("aws_sqs_queue.source: Creation complete" in line for line in progress)
    assert progress[-1].startswith("applied: ") and progress[-1].endswith("resources in state")


def test_aliased_provider_region_and_backend_are_redirected_to_the_sandbox(sample_apply, moto_endpoint):
    # The log group uses provider aws.logs (profile that does not exist, eu-west-1) and the
    # configuration declares an s3 backend: all of it must land in the sandbox instead.
    assert log_group_names(moto_endpoint, "/aws/lambda/sample-processor") == ["/aws/lambda/sample-processor"]
    deployment = Deployment.from_state(sample_apply.applied.state)
    assert {fn.region for fn in deployment.functions} == {"us-east-1"}
    assert json.loads(sample_apply.applied.state_path.read_text())["resources"]


def test_applied_code_materializes_from_zip_s3_and_layer(sample_apply, moto_endpoint, tmp_path):
    config_dir = sample_apply.applied.config_dir
    deployment = Deployment.from_state(sample_apply.applied.state, config_dir=config_dir)
    s3 = aws_client("s3", moto_endpoint)

    def read_s3(bucket, key, version):
        extra = {"VersionId": version} if version else {}
        return s3.get_object(Bucket=bucket, Key=key, **extra)["Body"].read()

    def resolve_layer(arn):
        layer = deployment.layer_version_by_arn(arn)
        return extract_zip_cached(layer.filename.read_bytes(), tmp_path / "layers") if layer else None

    results = {
        fn.name: materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "code", s3_reader=read_s3,
                                  image_code_dirs={}, layer_resolver=resolve_layer)
        for fn in deployment.functions
    }
    processor = results["sample-processor"]
    assert processor.runnable and (processor.code_dir / "app.py").is_file()
    (layer_dir,) = processor.layer_dirs
    assert (layer_dir / "python" / "sample_layer_helper.py").is_file()
    from_s3 = results["sample-processor-s3"]
    assert from_s3.runnable and from_s3.code_dir == processor.code_dir  # same zip, same cache entry
    image = results["sample-processor-image"]
    assert not image.runnable and "--image-code sample-processor-image=DIR" in image.reason


def test_committed_sample_state_matches_a_fresh_apply(sample_apply):
    fresh = Deployment.from_state(trim_state(sample_apply.applied.state))
    committed = Deployment.from_state(json.loads(SAMPLE_STATE_PATH.read_text()))
    assert fresh.functions == committed.functions
    assert fresh.alarms == committed.alarms and fresh.dashboards == committed.dashboards
    assert fresh.event_targets == committed.event_targets and fresh.roles == committed.roles
    without_urls = lambda queues: [(q.name, q.arn, q.redrive, q.visibility_timeout) for q in queues]  # noqa: E731
    assert without_urls(fresh.queues) == without_urls(committed.queues)
    ignore_uuid = lambda ms: [m.__dict__ | {"uuid": None} for m in ms]  # noqa: E731
    assert ignore_uuid(fresh.event_source_mappings) == ignore_uuid(committed.event_source_mappings)


def test_relative_module_sources_resolve_in_place(moto_endpoint, tmp_path):
    require_terraform()
    copy_fixture("relative", tmp_path)
    root = tmp_path / "relative" / "root"
    before = tree_snapshot(tmp_path / "relative")
    applied = SandboxApply(root, moto_endpoint).apply()
    assert applied.outputs == {"log_group_name": "/lambda-processor-tests/relative"}
    assert log_group_names(moto_endpoint, "/lambda-processor-tests/relative") == ["/lambda-processor-tests/relative"]
    assert tree_snapshot(tmp_path / "relative") == before


# ------------------------------------------------------------------ failures and cleanup


def test_apply_failure_reports_terraform_error_and_config_dir(moto_endpoint, tmp_path):
    require_terraform()
    config_dir = copy_fixture("failing", tmp_path)
    with pytest.raises(TerraformError) as error:
        SandboxApply(config_dir, moto_endpoint).apply()
    message = str(error.value)
    assert message.startswith(f"{config_dir}: `terraform apply` failed:")
    assert "Error: attaching IAM Policy (arn:aws:iam::123456789012:policy/no-such-policy)" in message
    assert "with aws_iam_role_policy_attachment.broken" in message
    assert "Creation complete" not in message
    assert not (config_dir / OVERRIDE_FILE_NAME).exists()


def test_terraform_missing_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch):
    config_dir = copy_fixture("tiny", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(TerraformError, match="terraform is not on PATH") as error:
        SandboxApply(config_dir, "http://127.0.0.1:1").apply()
    assert "install terraform" in str(error.value)
    assert sorted(p.name for p in config_dir.iterdir()) == ["main.tf"]


def test_foreign_file_with_the_override_name_is_not_overwritten(moto_endpoint, tmp_path):
    require_terraform()
    config_dir = copy_fixture("tiny", tmp_path)
    (config_dir / OVERRIDE_FILE_NAME).write_text("# mine\n")
    with pytest.raises(TerraformError, match="was not written by lambda-processor"):
        SandboxApply(config_dir, moto_endpoint, variables={"name": "/x"}).apply()
    assert (config_dir / OVERRIDE_FILE_NAME).read_text() == "# mine\n"


def test_destroy_removes_what_apply_created_and_users_lock_file_survives(moto_endpoint, tmp_path):
    require_terraform()
    config_dir = copy_fixture("tiny", tmp_path)
    users_lock = b"# The user's own lock file: terraform init must not leave changes in it.\n"
    (config_dir / ".terraform.lock.hcl").write_bytes(users_lock)
    name = "/lambda-processor-tests/destroy"
    runner = SandboxApply(config_dir, moto_endpoint, variables={"name": name})
    assert runner.apply().outputs == {"log_group_name": name}
    assert log_group_names(moto_endpoint, name) == [name]
    runner.destroy()
    assert log_group_names(moto_endpoint, name) == []
    assert (config_dir / ".terraform.lock.hcl").read_bytes() == users_lock
    assert not (config_dir / OVERRIDE_FILE_NAME).exists()


def test_apply_starts_from_fresh_state_because_the_sandbox_starts_empty(moto_endpoint, tmp_path):
    require_terraform()
    config_dir = copy_fixture("tiny", tmp_path)
    stale = {"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "stale-run", "outputs": {},
             "resources": [{"mode": "managed", "type": "aws_sqs_queue", "name": "gone",
                            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                            "instances": [{"schema_version": 0,
                                           "attributes": {"id": "http://127.0.0.1:1/123456789012/gone"}}]}]}
    state_path = config_dir / ".lambda-processor" / "terraform.tfstate"
    state_path.parent.mkdir()
    state_path.write_text(json.dumps(stale))
    name = "/lambda-processor-tests/fresh"
    applied = SandboxApply(config_dir, moto_endpoint, variables={"name": name}).apply()
    assert applied.outputs == {"log_group_name": name}
    assert [r["address"] for r in applied.state["values"]["root_module"]["resources"]] == [
        "aws_cloudwatch_log_group.tiny"]
    assert json.loads((state_path.parent / "terraform.tfstate.previous").read_text())["lineage"] == "stale-run"


def test_interrupt_during_apply_stops_terraform_and_cleans_up(moto_endpoint, tmp_path):
    require_terraform()
    config_dir = copy_fixture("slow", tmp_path)

    def interrupt_on_plan(line: str) -> None:
        if line.startswith("Plan: "):
            raise KeyboardInterrupt

    runner = SandboxApply(config_dir, moto_endpoint, progress=interrupt_on_plan)
    with pytest.raises(KeyboardInterrupt):
        runner.apply()
    assert not (config_dir / OVERRIDE_FILE_NAME).exists()
    assert not (config_dir / ".terraform.lock.hcl").exists()
    assert terraform_children() == []
    # terraform was stopped with one SIGINT, so it exited gracefully: it either had not
    # written state yet or wrote a complete one (a second signal could leave it half-written).
    if runner.state_path.exists():
        assert json.loads(runner.state_path.read_text())["version"] == 4

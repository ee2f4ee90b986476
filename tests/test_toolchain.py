from pathlib import Path

from lambda_processor.terraform import toolchain


def _mirror(tmp_path: Path) -> Path:
    provider = tmp_path / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0"
    provider.mkdir(parents=True)
    return tmp_path / "mirror"


def test_missing_cli_config_is_dropped_and_mirror_used(tmp_path, monkeypatch):
    monkeypatch.setattr(toolchain, "WELL_KNOWN_MIRRORS", ())
    monkeypatch.setenv("HOME", str(tmp_path))
    mirror = _mirror(tmp_path)
    env = toolchain.terraform_env(
        {"TF_CLI_CONFIG_FILE": str(tmp_path / "absent.rc"), toolchain.MIRROR_ENV: str(mirror), "HOME": str(tmp_path)}
    )
    config = Path(env["TF_CLI_CONFIG_FILE"]).read_text()
    assert f'path    = "{mirror}"' in config
    assert 'exclude = ["registry.terraform.io/hashicorp/*"]' in config


def test_existing_cli_config_is_kept(tmp_path, monkeypatch):
    rc = tmp_path / "mine.rc"
    rc.write_text("# user config\n")
    env = toolchain.terraform_env({"TF_CLI_CONFIG_FILE": str(rc), "HOME": str(tmp_path)})
    assert env["TF_CLI_CONFIG_FILE"] == str(rc)


def test_no_mirror_means_registry_defaults(tmp_path, monkeypatch):
    monkeypatch.setattr(toolchain, "WELL_KNOWN_MIRRORS", ())
    monkeypatch.setenv("HOME", str(tmp_path))
    env = toolchain.terraform_env({"TF_CLI_CONFIG_FILE": str(tmp_path / "absent.rc"), "HOME": str(tmp_path)})
    assert "TF_CLI_CONFIG_FILE" not in env


def test_empty_mirror_folder_does_not_count(tmp_path, monkeypatch):
    monkeypatch.setattr(toolchain, "WELL_KNOWN_MIRRORS", ())
    (tmp_path / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    assert toolchain.find_provider_mirror({toolchain.MIRROR_ENV: str(tmp_path)}) is None

"""materialize_code with real zip files, a real S3-style reader and layer folders."""

from __future__ import annotations

import dataclasses
import io
import os
import stat
import threading
import zipfile
from pathlib import Path

import pytest

from lambda_processor.code_store import CodePackageError, MaterializedCode, extract_zip_cached, materialize_code
from lambda_processor.deployment import LambdaFunctionDef

LAYER_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:helpers:1"


def make_zip(files: dict[str, str], modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (modes or {}).get(name, 0o644) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def function(**changes) -> LambdaFunctionDef:
    base = LambdaFunctionDef(
        address="aws_lambda_function.f", name="f", arn="arn:aws:lambda:us-east-1:123456789012:function:f",
        runtime="python3.12", handler="app.handler", memory_size=128, timeout=3, environment={}, layers=(),
        package_type="Zip", filename=None, s3_bucket=None, s3_key=None, s3_object_version=None, image_uri=None,
        architectures=("x86_64",), reserved_concurrent_executions=None, tracing_mode=None,
        dead_letter_target_arn=None, kms_key_arn=None, vpc=None, role_arn="", ephemeral_storage=None, tags={},
        code_sha256=None, source_code_hash=None,
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    (folder / "build").mkdir(parents=True)
    (folder / "build" / "function.zip").write_bytes(
        make_zip({"app.py": "def handler(e, c):\n    return 1\n", "pkg/mod.py": "X = 2\n"}))
    return folder


def test_zip_from_relative_filename_is_unpacked(config_dir, tmp_path):
    code = materialize_code(function(filename=Path("build/function.zip")), config_dir=config_dir,
                            cache_dir=tmp_path / "cache")
    assert code.runnable and code.reason is None and code.layer_dirs == ()
    assert (code.code_dir / "app.py").read_text().startswith("def handler")
    assert (code.code_dir / "pkg" / "mod.py").read_text() == "X = 2\n"
    assert code.code_dir.parent == tmp_path / "cache"


def test_same_package_reuses_the_cached_folder(config_dir, tmp_path):
    first = materialize_code(function(filename=config_dir / "build" / "function.zip"), config_dir=config_dir,
                             cache_dir=tmp_path / "cache")
    (first.code_dir / "marker").write_text("kept")
    second = materialize_code(function(name="g", filename=Path("build/function.zip")), config_dir=config_dir,
                              cache_dir=tmp_path / "cache")
    assert second.code_dir == first.code_dir and (second.code_dir / "marker").exists()


def test_changed_package_gets_a_new_folder(config_dir, tmp_path):
    fn = function(filename=Path("build/function.zip"))
    first = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache")
    (config_dir / "build" / "function.zip").write_bytes(make_zip({"app.py": "changed = True\n"}))
    second = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache")
    assert second.code_dir != first.code_dir
    assert (second.code_dir / "app.py").read_text() == "changed = True\n"


def test_missing_zip_is_not_runnable_with_reason(config_dir, tmp_path):
    code = materialize_code(function(filename=Path("build/absent.zip")), config_dir=config_dir,
                            cache_dir=tmp_path / "cache")
    assert code == MaterializedCode(None, (), False, code.reason)
    assert "function f" in code.reason and "absent.zip does not exist" in code.reason and "build" in code.reason


def test_corrupt_zip_is_not_runnable_with_reason(config_dir, tmp_path):
    (config_dir / "build" / "function.zip").write_bytes(b"not a zip at all")
    code = materialize_code(function(filename=Path("build/function.zip")), config_dir=config_dir,
                            cache_dir=tmp_path / "cache")
    assert not code.runnable and "not a valid zip file" in code.reason
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []  # no half-unpacked folder left


def test_s3_code_is_read_through_the_reader(config_dir, tmp_path):
    calls = []

    def reader(bucket, key, version):
        calls.append((bucket, key, version))
        return make_zip({"app.py": "from_s3 = True\n"})

    fn = function(s3_bucket="code", s3_key="pkg/f.zip", s3_object_version="v3")
    code = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache", s3_reader=reader)
    assert code.runnable and (code.code_dir / "app.py").read_text() == "from_s3 = True\n"
    assert calls == [("code", "pkg/f.zip", "v3")]


def test_s3_read_failure_names_the_object(config_dir, tmp_path):
    def reader(bucket, key, version):
        raise KeyError("NoSuchKey")

    code = materialize_code(function(s3_bucket="code", s3_key="pkg/f.zip"), config_dir=config_dir,
                            cache_dir=tmp_path / "cache", s3_reader=reader)
    assert not code.runnable and "s3://code/pkg/f.zip" in code.reason and "NoSuchKey" in code.reason
    without_reader = materialize_code(function(s3_bucket="code", s3_key="pkg/f.zip"), config_dir=config_dir,
                                      cache_dir=tmp_path / "cache")
    assert not without_reader.runnable and "no S3 reader" in without_reader.reason


def test_image_function_without_local_dir_is_not_runnable(config_dir, tmp_path):
    fn = function(package_type="Image", image_uri="1.dkr.ecr.us-east-1.amazonaws.com/x:1", runtime=None, handler=None)
    code = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache")
    assert not code.runnable
    assert "container image 1.dkr.ecr.us-east-1.amazonaws.com/x:1 is not run locally" in code.reason
    assert "--image-code f=DIR" in code.reason


def test_image_function_runs_from_given_local_dir(config_dir, tmp_path):
    local = tmp_path / "image-src"
    local.mkdir()
    fn = function(package_type="Image", image_uri="x:1")
    code = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache", image_code_dirs={"f": local})
    assert code.runnable and code.code_dir == local
    missing = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache",
                               image_code_dirs={"f": tmp_path / "nope"})
    assert not missing.runnable and "does not exist" in missing.reason


def test_layers_resolve_in_order(config_dir, tmp_path):
    second_arn = LAYER_ARN.replace("helpers", "more")
    folders = {LAYER_ARN: tmp_path / "l1", second_arn: tmp_path / "l2"}
    for folder in folders.values():
        folder.mkdir()
    fn = function(filename=Path("build/function.zip"), layers=(second_arn, LAYER_ARN))
    code = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache", layer_resolver=folders.get)
    assert code.runnable and code.layer_dirs == (tmp_path / "l2", tmp_path / "l1")


def test_unknown_layer_is_not_runnable_naming_the_arn(config_dir, tmp_path):
    fn = function(filename=Path("build/function.zip"), layers=(LAYER_ARN,))
    code = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache", layer_resolver=lambda arn: None)
    assert not code.runnable and LAYER_ARN in code.reason and "function f" in code.reason
    no_resolver = materialize_code(fn, config_dir=config_dir, cache_dir=tmp_path / "cache")
    assert not no_resolver.runnable and LAYER_ARN in no_resolver.reason


def test_function_without_any_code_source_is_not_runnable(config_dir, tmp_path):
    code = materialize_code(function(), config_dir=config_dir, cache_dir=tmp_path / "cache")
    assert not code.runnable and "neither filename nor s3_bucket" in code.reason


def test_extract_keeps_executable_bits_and_contains_unsafe_names(tmp_path):
    data = make_zip({"bootstrap": "#!/bin/sh\n", "../escape.txt": "x", "/abs.txt": "y"},
                    modes={"bootstrap": 0o755, "../escape.txt": 0o777})
    folder = extract_zip_cached(data, tmp_path / "cache")
    assert os.stat(folder / "bootstrap").st_mode & stat.S_IXUSR
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "cache" / "escape.txt").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["abs.txt", "bootstrap", "escape.txt"]


def test_concurrent_extraction_of_the_same_zip_yields_one_folder(tmp_path):
    data = make_zip({f"m{i}.py": "x = 1\n" * 100 for i in range(50)})
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(extract_zip_cached(data, tmp_path / "c")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert [p.name for p in (tmp_path / "c").iterdir()] == [results[0].name]
    assert len(list(results[0].iterdir())) == 50


def test_extract_rejects_non_zip_bytes(tmp_path):
    with pytest.raises(CodePackageError, match="layer x: is not a valid zip"):
        extract_zip_cached(b"\x00\x01", tmp_path / "c", what="layer x:")

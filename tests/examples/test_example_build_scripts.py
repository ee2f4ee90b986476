"""Each example's build.sh writes a valid, deterministic zip holding the handler (or layer) files."""

from __future__ import annotations

import hashlib
import shutil
import zipfile

import pytest
from example_support import EXAMPLES_DIR, run_build_script

# example -> {zip under build/: names that must be inside}
EXPECTED_ARCHIVES = {
    "order-processor": {"order-processor.zip": {"app.py"}},
    "payment-processor": {"payment-processor.zip": {"secure_handler.py"}},
    "notification-processor": {"notification-handler.zip": {"index.js", "templates.js"}},
    "batch-processor": {"data-processor.zip": {"app.py", "processing.py"}},
    "enhanced-processor": {
        "enhanced-processor.zip": {"app.py"},
        "shared-libs.zip": {"python/shared_libs/__init__.py", "python/shared_libs/events.py"},
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each example copied to a scratch folder (with the shared tools) and built once."""
    root = tmp_path_factory.mktemp("builds")
    shutil.copytree(EXAMPLES_DIR / "tools", root / "tools")
    results = {}
    for example in EXPECTED_ARCHIVES:
        shutil.copytree(EXAMPLES_DIR / example, root / example, ignore=shutil.ignore_patterns("build", ".terraform"))
        results[example] = (root / example, run_build_script(root / example))
    return results


@pytest.mark.parametrize("example", EXPECTED_ARCHIVES)
def test_build_script_writes_a_valid_zip_with_the_handler(example, built):
    directory, result = built[example]
    assert result.returncode == 0, f"{example}/build.sh failed:\n{result.stdout}\n{result.stderr}"
    for archive, required in EXPECTED_ARCHIVES[example].items():
        path = directory / "build" / archive
        assert zipfile.is_zipfile(path), f"{path} is not a zip"
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None, f"{path} has a corrupt entry"
            names = set(zf.namelist())
            assert required <= names, f"{archive} lacks {sorted(required - names)}; has {sorted(names)}"
            assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")], f"{archive} packs caches"


@pytest.mark.parametrize("example", EXPECTED_ARCHIVES)
def test_build_script_is_deterministic(example, built):
    directory, _ = built[example]

    def digests() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((directory / "build").glob("*.zip"))}

    first = digests()
    for source in directory.rglob("*.py"):
        source.touch()  # a new mtime must not change the archive (filebase64sha256 would redeploy)
    rebuilt = run_build_script(directory)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert digests() == first

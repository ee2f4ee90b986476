"""Build a deterministic Lambda zip: the same sources always give the same bytes.

Terraform compares ``filebase64sha256(zip)`` to decide whether to update the function, so the
archive must not change when only timestamps or file order change. Every entry gets a fixed
timestamp (1980-01-01, the earliest a zip can hold) and fixed permissions, and entries are
written in sorted order. Caches (``__pycache__``, ``*.pyc``, ``node_modules/.cache``) are skipped.

Usage: python3 build_zip.py OUTPUT.zip SOURCE_DIR [PREFIX]
    PREFIX places the files under a folder inside the zip (``python`` for a Python layer).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".cache", ".DS_Store"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
FILE_MODE = 0o644 << 16  # rw-r--r--: Lambda needs read access, nothing needs execute


def source_files(source_dir: Path) -> list[Path]:
    """The files to package, relative to ``source_dir``, in a stable order."""
    found = []
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if not path.is_file() or SKIPPED_PARTS.intersection(relative.parts):
            continue
        if path.suffix in SKIPPED_SUFFIXES:
            continue
        found.append(relative)
    return found


def build_zip(output: Path, source_dir: Path, prefix: str = "") -> list[str]:
    """Write ``output`` from ``source_dir``; return the archive names written."""
    if not source_dir.is_dir():
        raise SystemExit(f"build_zip: source folder {source_dir} does not exist")
    files = source_files(source_dir)
    if not files:
        raise SystemExit(f"build_zip: source folder {source_dir} has no files to package")
    output.parent.mkdir(parents=True, exist_ok=True)
    names = []
    tmp = output.with_suffix(output.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for relative in files:
            name = "/".join(filter(None, [prefix.strip("/"), relative.as_posix()]))
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP)
            info.external_attr = FILE_MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (source_dir / relative).read_bytes())
            names.append(name)
    tmp.replace(output)
    return names


def main(argv: list[str]) -> int:
    """Command-line entry: ``build_zip.py OUTPUT.zip SOURCE_DIR [PREFIX]``."""
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    output, source_dir = Path(argv[0]), Path(argv[1])
    prefix = argv[2] if len(argv) == 3 else ""
    names = build_zip(output, source_dir, prefix)
    print(f"built {output} ({len(names)} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

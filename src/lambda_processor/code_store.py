"""Turn a deployed function's code (zip file, S3 object, image + local dir) into folders.

Only the filesystem is touched: S3 reads and layer lookups are injected, so this module
knows nothing about moto. Zips are unpacked once into ``cache_dir/<sha256 of the zip>``;
a second function (or a second ``up``) with the same package reuses the folder.

Per-function problems (no code, a missing zip, an image without a local folder, an
unknown layer) do not raise: they come back as ``runnable=False`` with a reason naming
the function and what to do, so the rest of the deployment keeps running.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from .deployment import LambdaFunctionDef
from .errors import LambdaProcessorError

S3Reader = Callable[[str, str, str | None], bytes]  # (bucket, key, version) → object bytes
LayerResolver = Callable[[str], Path | None]  # layer version ARN → unzipped folder, or None
IMAGE_CODE_OPTION = "--image-code"


class CodePackageError(LambdaProcessorError):
    """A code package exists but cannot be used (e.g. it is not a zip)."""


@dataclass(frozen=True)
class MaterializedCode:
    """Where a function's code and layers are on disk, or why it cannot run locally."""

    code_dir: Path | None
    layer_dirs: tuple[Path, ...]
    runnable: bool
    reason: str | None

    @classmethod
    def not_runnable(cls, reason: str) -> "MaterializedCode":
        """A function that cannot run here, and why."""
        return cls(code_dir=None, layer_dirs=(), runnable=False, reason=reason)


def materialize_code(
    fn: LambdaFunctionDef,
    *,
    config_dir: Path,
    cache_dir: Path,
    s3_reader: S3Reader | None = None,
    image_code_dirs: Mapping[str, Path] | None = None,
    layer_resolver: LayerResolver | None = None,
) -> MaterializedCode:
    """The function's code folder and layer folders, unpacking zips into ``cache_dir``."""
    try:
        code_dir = _code_dir(fn, Path(config_dir), Path(cache_dir), s3_reader, image_code_dirs or {})
    except _NotRunnable as problem:
        return MaterializedCode.not_runnable(str(problem))
    except CodePackageError as error:
        return MaterializedCode.not_runnable(str(error))
    layer_dirs: list[Path] = []
    for arn in fn.layers:
        folder = layer_resolver(arn) if layer_resolver is not None else None
        if folder is None or not Path(folder).is_dir():
            return MaterializedCode.not_runnable(
                f"function {fn.name}: layer {arn} is not available in the sandbox "
                "(publish it in this configuration, or use a public layer the sandbox pre-registers)"
            )
        layer_dirs.append(Path(folder))
    return MaterializedCode(code_dir=code_dir, layer_dirs=tuple(layer_dirs), runnable=True, reason=None)


def extract_zip_cached(data: bytes, cache_dir: Path, *, what: str = "zip") -> Path:
    """Unpack ``data`` (zip bytes) into ``cache_dir/<sha256>`` once; return that folder.

    Safe against concurrent callers: each unpacks into a private temporary folder and
    renames it into place; the loser of a race discards its copy. Entry names cannot
    escape the folder (``zipfile`` drops ``..`` and leading ``/``), and unix permission
    bits stored in the zip are kept (AWS keeps them too: executables stay executable).
    """
    digest = hashlib.sha256(data).hexdigest()
    target = Path(cache_dir) / digest[:32]
    if target.is_dir():
        return target
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=cache_dir))
    try:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.extractall(staging)
                _restore_permissions(archive, staging)
        except zipfile.BadZipFile as error:
            raise CodePackageError(f"{what} is not a valid zip file: {error}",
                                   hint="rebuild the package") from error
        try:
            os.rename(staging, target)
        except OSError:
            if not target.is_dir():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


# --------------------------------------------------------------------------------------


class _NotRunnable(Exception):
    """Internal: the reason a function cannot run locally."""


def _code_dir(
    fn: LambdaFunctionDef,
    config_dir: Path,
    cache_dir: Path,
    s3_reader: S3Reader | None,
    image_code_dirs: Mapping[str, Path],
) -> Path:
    if fn.package_type == "Image":
        return _image_code_dir(fn, image_code_dirs)
    if fn.filename is not None:
        package = fn.filename if fn.filename.is_absolute() else config_dir / fn.filename
        if not package.is_file():
            raise _NotRunnable(f"function {fn.name}: code package {package} does not exist "
                               "(build it first, e.g. the configuration's build.sh)")
        return extract_zip_cached(package.read_bytes(), cache_dir, what=f"function {fn.name}: {package}")
    if fn.s3_bucket and fn.s3_key:
        location = f"s3://{fn.s3_bucket}/{fn.s3_key}" + (f"?versionId={fn.s3_object_version}" if fn.s3_object_version else "")
        if s3_reader is None:
            raise _NotRunnable(f"function {fn.name}: code is in {location} and no S3 reader was given")
        try:
            data = s3_reader(fn.s3_bucket, fn.s3_key, fn.s3_object_version)
        except Exception as error:  # any reader failure is this function's problem only
            raise _NotRunnable(f"function {fn.name}: cannot read code from {location}: {error}") from error
        return extract_zip_cached(data, cache_dir, what=f"function {fn.name}: {location}")
    raise _NotRunnable(f"function {fn.name}: the state has neither filename nor s3_bucket/s3_key for its code")


def _image_code_dir(fn: LambdaFunctionDef, image_code_dirs: Mapping[str, Path]) -> Path:
    folder = image_code_dirs.get(fn.name)
    if folder is None:
        raise _NotRunnable(
            f"function {fn.name}: container image {fn.image_uri or '(no image_uri)'} is not run locally; "
            f"give its code folder with `{IMAGE_CODE_OPTION} {fn.name}=DIR`"
        )
    if not Path(folder).is_dir():
        raise _NotRunnable(f"function {fn.name}: local code folder {folder} given with {IMAGE_CODE_OPTION} does not exist")
    return Path(folder)


def _restore_permissions(archive: zipfile.ZipFile, root: Path) -> None:
    inside = root.resolve()
    for info in archive.infolist():
        mode = (info.external_attr >> 16) & 0o777
        if not mode or info.is_dir():
            continue
        path = (root / info.filename).resolve()
        # extractall rewrote unsafe names ("../x"); skip them rather than touch outside files.
        if path.is_relative_to(inside) and path.is_file():
            # Keep at least owner read/write so the cache stays manageable.
            path.chmod(mode | stat.S_IRUSR | stat.S_IWUSR)

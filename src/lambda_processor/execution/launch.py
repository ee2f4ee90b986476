"""How to start a worker process for a function's runtime, pure except for finding binaries."""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from lambda_processor.execution.model import FunctionSpec, RuntimeUnavailable

WORKER_DIR = Path(__file__).resolve().parent
PYTHON_WORKER = WORKER_DIR / "python_worker.py"
NODE_WORKER = WORKER_DIR / "node_worker.js"


@dataclass(frozen=True)
class WorkerLaunch:
    """The command line (minus the two protocol fds) and runtime-specific env of a worker."""

    executable: str
    script: Path
    config: dict
    extra_environment: dict[str, str]
    interpreter_options: tuple[str, ...] = ()

    def command(self, request_fd: int, response_fd: int) -> list[str]:
        """argv for ``Popen``: the worker reads requests from and writes responses to these fds."""
        return [
            self.executable,
            *self.interpreter_options,
            str(self.script),
            str(request_fd),
            str(response_fd),
            json.dumps(self.config),
        ]


def node_heap_limit_mb(memory_size: int) -> int:
    """The V8 old-space limit the AWS Node.js bootstrap sets: 90% of the function's memory."""
    return memory_size * 9 // 10


def python_sys_path(spec: FunctionSpec) -> list[str]:
    """sys.path head as in AWS: task root, then each layer's site-packages and ``python`` dir.

    Layers are merged into /opt in order, later ones overwriting earlier ones, so the
    last layer is searched first.
    """
    versions = {f"python{sys.version_info.major}.{sys.version_info.minor}"}
    if re.fullmatch(r"python\d+\.\d+", spec.runtime):
        versions.add(spec.runtime)
    paths = [str(spec.code_dir)]
    for layer in reversed(spec.layer_dirs):
        for version in sorted(versions):
            paths.append(str(layer / "python" / "lib" / version / "site-packages"))
        paths.append(str(layer / "python"))
    return paths


def node_path(spec: FunctionSpec, extra_node_path: Path | None) -> str:
    """NODE_PATH as in AWS: layers' ``nodejs/nodeNN/node_modules`` and ``nodejs/node_modules``,
    the runtime's own modules (where a runtime-provided AWS SDK would live), then the task root."""
    major = re.match(r"nodejs(\d+)", spec.runtime)
    entries = []
    for layer in reversed(spec.layer_dirs):
        if major:
            entries.append(str(layer / "nodejs" / f"node{major.group(1)}" / "node_modules"))
        entries.append(str(layer / "nodejs" / "node_modules"))
    if extra_node_path is not None:
        entries.append(str(extra_node_path))
    entries.append(str(spec.code_dir))
    return ":".join(entries)


def worker_launch(spec: FunctionSpec, *, extra_node_path: Path | None = None) -> WorkerLaunch:
    """Pick the worker for ``spec.runtime``; raise ``RuntimeUnavailable`` if it can't run here."""
    if spec.runtime.startswith("python"):
        return WorkerLaunch(sys.executable, PYTHON_WORKER, {"paths": python_sys_path(spec)}, {})
    if spec.runtime.startswith("nodejs"):
        node = shutil.which("node")
        if node is None:
            raise RuntimeUnavailable(
                f"runtime {spec.runtime} needs the `node` binary, which is not on PATH",
                where=spec.name,
                hint="install Node.js 18+ or deploy a python runtime",
            )
        return WorkerLaunch(
            node,
            NODE_WORKER,
            {"handler": spec.handler},
            {
                "NODE_PATH": node_path(spec, extra_node_path),
                # The host's node may be older than the SDK's support window; Lambda's own
                # nodejs runtimes never print that warning, so neither does the local one.
                "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true",
            },
            (f"--max-old-space-size={node_heap_limit_mb(spec.memory_size)}",),
        )
    raise RuntimeUnavailable(
        f"runtime {spec.runtime!r} is not supported by the local runtime (python3.x and nodejs* are)",
        where=spec.name,
        hint="run it in AWS, or switch the function to a supported runtime",
    )

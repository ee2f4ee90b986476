"""Trim `terraform show -json` output into the committed fixture tests/data/sample_state.json.

The fixture is what the pure deployment tests read, so they run without terraform. The
terraform tests regenerate it when LAMBDA_PROCESSOR_UPDATE_SAMPLE_STATE=1 is set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SAMPLE_STATE_PATH = Path(__file__).resolve().parents[1] / "data" / "sample_state.json"
KEPT_RESOURCE_KEYS = ("address", "mode", "type", "name", "index", "provider_name", "values")


def trim_state(state: dict[str, Any]) -> dict[str, Any]:
    """Managed resources only, without sensitive-value maps and dependency lists."""

    def module(node: dict[str, Any]) -> dict[str, Any]:
        trimmed: dict[str, Any] = {}
        if "address" in node:
            trimmed["address"] = node["address"]
        trimmed["resources"] = [
            {key: resource[key] for key in KEPT_RESOURCE_KEYS if key in resource}
            for resource in node.get("resources", [])
            if resource.get("mode") == "managed"
        ]
        if node.get("child_modules"):
            trimmed["child_modules"] = [module(child) for child in node["child_modules"]]
        return trimmed

    values = state.get("values", {})
    return {
        "format_version": state["format_version"],
        "terraform_version": state.get("terraform_version"),
        "values": {"outputs": values.get("outputs", {}), "root_module": module(values.get("root_module", {}))},
    }


def write_sample_state(state: dict[str, Any], path: Path = SAMPLE_STATE_PATH) -> None:
    """Write the trimmed state, stably formatted so diffs stay readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(trim_state(state), indent=1, sort_keys=True) + "\n")

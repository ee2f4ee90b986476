#!/usr/bin/env bash
# The main job: apply examples/order-processor to the embedded AWS and push orders through it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
exec .venv/bin/lambda-processor demo "$@"

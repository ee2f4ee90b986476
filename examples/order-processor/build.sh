#!/usr/bin/env bash
# Package the handler as build/order-processor.zip (deterministic: same sources, same hash).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python3 "$here/../tools/build_zip.py" "$here/build/order-processor.zip" "$here/src"

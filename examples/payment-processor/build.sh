#!/usr/bin/env bash
# Package the handler as build/payment-processor.zip (deterministic: same sources, same hash).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python3 "$here/../tools/build_zip.py" "$here/build/payment-processor.zip" "$here/src"

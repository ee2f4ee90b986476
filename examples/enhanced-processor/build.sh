#!/usr/bin/env bash
# Package the function (build/enhanced-processor.zip) and the shared-libs layer (build/shared-libs.zip,
# with python/ at its root, where Lambda expects a Python layer's packages). Deterministic.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python3 "$here/../tools/build_zip.py" "$here/build/enhanced-processor.zip" "$here/src"
python3 "$here/../tools/build_zip.py" "$here/build/shared-libs.zip" "$here/layers/shared-libs"

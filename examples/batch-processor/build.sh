#!/usr/bin/env bash
# The function ships as a container image (app/Dockerfile). This packs the image's code as
# build/data-processor.zip too: the local runtime runs the handler from it, without Docker.
# With Docker available, `./build.sh --image` also builds the image (tag data-processor:latest).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp "$here/app/app.py" "$here/app/processing.py" "$staging/"
python3 "$here/../tools/build_zip.py" "$here/build/data-processor.zip" "$staging"
if [ "${1:-}" = "--image" ]; then
  docker build --platform linux/arm64 -t data-processor:latest "$here/app"
fi

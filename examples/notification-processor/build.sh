#!/usr/bin/env bash
# Package the handler as build/notification-handler.zip (deterministic). The AWS SDK v3 is not packed:
# the nodejs18.x runtime provides @aws-sdk/client-sns.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python3 "$here/../tools/build_zip.py" "$here/build/notification-handler.zip" "$here/src"

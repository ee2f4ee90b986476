#!/usr/bin/env bash
# Create .venv and install the project with its test extra. Idempotent and quick when
# nothing changed: the install is keyed on pyproject.toml's hash.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv" >&2
  "$python" -m venv .venv
fi
stamp=".venv/.lambda-processor-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing lambda-processor and its test tools into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
  rm -f .venv/.lambda-processor-*
  touch "$stamp"
fi

# Node.js handlers get what AWS's nodejs runtimes bundle (the AWS SDK v3), from npm.
if command -v npm >/dev/null 2>&1; then
  node_stamp="runtime/nodejs/node_modules/.stamp-$(sha256sum runtime/nodejs/package-lock.json | cut -c1-16)"
  if [ ! -f "$node_stamp" ]; then
    echo "bootstrap: installing the AWS SDK for Node.js handlers (runtime/nodejs)" >&2
    (cd runtime/nodejs && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    touch "$node_stamp"
  fi
else
  echo "bootstrap: npm not found; Node.js handlers will run without the bundled AWS SDK" >&2
fi

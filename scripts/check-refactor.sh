#!/usr/bin/env bash
# Runs check_refactor.py with botocore and cfn-lint pinned in scripts/requirements-refactor.txt,
# installed on first use into target/refactor-venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/../target/refactor-venv"
stamp="$venv/.installed-$(sha256sum "$here/requirements-refactor.txt" | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-refactor.txt"
  touch "$stamp"
fi
exec "$venv/bin/python" "$here/check_refactor.py" "$@"

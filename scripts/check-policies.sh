#!/usr/bin/env bash
# Runs check-policies.py with parliament pinned in scripts/requirements-policy.txt,
# installed on first use into target/policy-venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/../target/policy-venv"
stamp="$venv/.installed-$(sha256sum "$here/requirements-policy.txt" | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-policy.txt"
  touch "$stamp"
fi
exec "$venv/bin/python" "$here/check-policies.py" "$@"

#!/usr/bin/env bash
# Deploys apps with the real, pinned `cdk` CLI to moto's server, updates and destroys them,
# checking each step through the AWS API (scripts/deploy_moto.py; docs/deploying.md).
# Installs on first use, pinned: moto and boto3 (scripts/requirements-moto.txt) into
# $CLOUDWRIGHT_MOTO (default ~/.cache/cloudwright-moto), the cdk CLI with the oracles
# (../shared/oracles/setup.sh, $CLOUDWRIGHT_ORACLES).
# Usage: scripts/deploy-moto.sh --cli target/debug/cloudwright --app target/debug/essentials [--app ...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${CLOUDWRIGHT_MOTO:-$HOME/.cache/cloudwright-moto}/venv"
stamp="$venv/.installed-$(sha256sum "$here/requirements-moto.txt" | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-moto.txt"
  touch "$stamp"
fi
oracles="${CLOUDWRIGHT_SHARED:-$here/../../shared}/oracles/setup.sh"
oracle_dir="$("$oracles")"
cdk="$oracle_dir/node_modules/.bin/cdk"
exec "$venv/bin/python" "$here/deploy_moto.py" --cdk "$cdk" "$@"

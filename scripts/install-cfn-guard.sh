#!/usr/bin/env bash
# Installs the real cfn-guard, pinned, on first use and prints its path.
# Cached in $CLOUDWRIGHT_TOOLS (default ~/.cache/cloudwright-tools) so CI builds it once.
set -euo pipefail
version="3.2.1"
root="${CLOUDWRIGHT_TOOLS:-$HOME/.cache/cloudwright-tools}/cfn-guard-$version"
if [ ! -x "$root/bin/cfn-guard" ]; then
  # Its own target directory: a shared one would lock the workspace build.
  CARGO_TARGET_DIR="$root/target" cargo install cfn-guard --version "$version" --locked \
    --root "$root" --quiet >&2
  rm -rf "$root/target"
fi
echo "$root/bin/cfn-guard"

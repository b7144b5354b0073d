#!/usr/bin/env bash
# Renders the reference example's architecture picture for the README:
#   docs/images/reference-architecture.svg and .png, from `cloudwright graph --format dot`,
# with Graphviz from Debian's packages (installed here when missing; no browser download).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v dot >/dev/null; then
  apt-get update -qq && apt-get install -y -qq graphviz >/dev/null
fi
mkdir -p docs/images
cargo run --quiet -p cloudwright-cli -- graph --format dot > docs/images/reference-architecture.dot
dot -Tsvg docs/images/reference-architecture.dot -o docs/images/reference-architecture.svg
dot -Tpng -Gdpi=110 docs/images/reference-architecture.dot -o docs/images/reference-architecture.png
echo "rendered docs/images/reference-architecture.{svg,png}"

#!/usr/bin/env bash
# Rebuilds every committed guest program from source and fails if any built .wasm differs from the
# committed bytes, so that a program hash in a policy can be reproduced from source.
set -euo pipefail
cd "$(dirname "$0")/.."
for builder in build-test-guests build-programs build-components; do
  if [ -f "scripts/$builder.sh" ]; then
    echo "rebuilding: scripts/$builder.sh"
    bash "scripts/$builder.sh"
  fi
done
changed=$(git status --porcelain -- '*.wasm')
if [ -n "$changed" ]; then
  echo "guest programs differ from the committed bytes after a rebuild:" >&2
  echo "$changed" >&2
  git diff --stat -- '*.wasm' >&2 || true
  exit 1
fi
echo "all guest programs rebuild to the committed bytes"

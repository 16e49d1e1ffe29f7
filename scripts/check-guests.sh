#!/usr/bin/env bash
# Rebuilds every committed guest program from source and fails if any built .wasm differs from the
# committed bytes, so that a program hash in a policy can be reproduced from source.
# The bytes must not depend on how a build is started, so it rebuilds twice:
#   1. every guest through npm (`npm run build:test-guests`, `build:programs`, `build:components`), the
#      documented way, which puts node_modules/.bin (binaryen's wasm-opt among it) first on PATH;
#   2. the clang-built guests (test guests, C examples, component core modules) again by bash, with
#      every node_modules/.bin entry dropped from PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

compare() {
  local how="$1" changed
  changed=$(git status --porcelain -- '*.wasm')
  if [ -n "$changed" ]; then
    echo "guest programs built $how differ from the committed bytes:" >&2
    echo "$changed" >&2
    git diff --stat -- '*.wasm' >&2 || true
    exit 1
  fi
  echo "all guest programs built $how match the committed bytes"
}

if [ ! -x node_modules/.bin/wasm-opt ]; then
  echo "note: node_modules/.bin/wasm-opt is absent; pass 1 does not meet a wasm-opt on PATH"
fi
for script in build:test-guests build:programs build:components; do
  echo "rebuilding: npm run $script"
  npm run --silent "$script"
done
compare "through npm run"

direct_path=$(tr ':' '\n' <<<"$PATH" | grep -v '/node_modules/\.bin/\?$' | paste -sd: -)
c_examples=()
for src in sdk/examples/*/main.c; do c_examples+=("$(basename "$(dirname "$src")")"); done
echo "rebuilding by bash, without node_modules/.bin on PATH: test guests, C examples, components"
PATH="$direct_path" bash scripts/build-test-guests.sh
PATH="$direct_path" bash scripts/build-programs.sh "${c_examples[@]}"
PATH="$direct_path" bash scripts/build-components.sh
compare "by bash without node_modules/.bin on PATH"

#!/usr/bin/env bash
# Builds the example WebAssembly component guests in sdk/components/ (docs/components.md):
# the C programs file-digest and fs-probe as core modules (clang through scripts/wasm-cc.sh,
# byte-reproducible like the other guests) and as a component through jco's preview 1 adapter, and the
# JavaScript sealed-bid-auction through ComponentizeJS (rebuilt only when its inputs change:
# ComponentizeJS output is not reproducible).
set -euo pipefail
cd "$(dirname "$0")/.."
clang_flags=(-O2 -s -ffile-prefix-map="$PWD"=. -Wall -Werror)
for name in file-digest fs-probe; do
  bash scripts/wasm-cc.sh "sdk/components/$name/$name.wasm" "sdk/components/$name/$name.c" "${clang_flags[@]}"
  echo "built sdk/components/$name/$name.wasm"
done
node sdk/components/build-components.mjs "$@"

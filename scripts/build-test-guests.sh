#!/usr/bin/env bash
# Builds the C guest test programs of the sandbox (enclave/guests/*.c) into the .wasm files
# committed beside them. The build is byte-reproducible: it always runs from the repository root
# with relative paths, maps the root to "." and strips everything but code and data, so CI can
# rebuild and compare (scripts/check-guests.sh). Compiled by scripts/wasm-cc.sh (see there why).
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-O2 -s -ffile-prefix-map="$PWD"=. -Wall -Werror -Wno-unused-result)
for src in enclave/guests/*.c; do
  out="${src%.c}.wasm"
  # A guest may ask for extra flags on a line `// build-flags: ...`; scripts/wasm-cc.sh adds them.
  bash scripts/wasm-cc.sh "$out" "$src" "${flags[@]}"
  echo "built $out"
done

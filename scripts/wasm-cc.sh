#!/usr/bin/env bash
# Compiles one C source to a wasm32-wasi program with Debian's clang: the one C-to-wasm step of every
# guest build (scripts/build-*.sh) and of the sandbox benchmark's kernels.
# Usage: scripts/wasm-cc.sh OUT SRC [FLAG...]
#   -s, -l* and -Wl,* go to the link step; every other flag goes to the compile step. A source may ask
#   for extra flags on a line `// build-flags: ...` (e.g. -msimd128), added after the given ones.
#
# Why compile and link are two steps: clang 14's wasm32 driver, whenever the link command line holds an
# -O flag, runs the first `wasm-opt` it finds (in -B directories, then on PATH) over the linked module,
# and it has no option to turn that off. Under `npm run`, node_modules/.bin is on PATH and holds
# binaryen's wasm-opt (installed with AssemblyScript), which changes every program's bytes and rejects
# SIMD code ("SIMD operations require SIMD"). Linking without any -O flag never runs wasm-opt, so the
# bytes are the same however the build is started; the wasm-ld command is otherwise unchanged.
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: $0 OUT SRC [FLAG...]" >&2
  exit 2
fi
out="$1" src="$2"
shift 2
CLANG=${CLANG:-clang}
flags=("$@")
if line=$(grep -m1 '^// build-flags:' "$src"); then
  read -r -a extra <<<"${line#// build-flags:}"
  flags+=("${extra[@]}")
fi
compile=(--target=wasm32-wasi)
link=()
for flag in "${flags[@]}"; do
  case "$flag" in
    -s | -l* | -Wl,*) link+=("$flag") ;;
    *) compile+=("$flag") ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CLANG" "${compile[@]}" -c -o "$tmp/main.o" "$src"
# The object goes first, as in a one-step build, so that libraries are searched in the same order.
"$CLANG" --target=wasm32-wasi -o "$out" "$tmp/main.o" "${link[@]}"

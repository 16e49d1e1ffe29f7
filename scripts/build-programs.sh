#!/usr/bin/env bash
# Builds every example guest program under sdk/examples/ to sdk/examples/<name>/<name>.wasm.
# The language is chosen by the source present in the example's folder:
#   assembly/index.ts  AssemblyScript (npm assemblyscript, `npx asc`), on sdk/assemblyscript/
#   main.c             C (Debian clang + wasi-libc, through scripts/wasm-cc.sh), with sdk/c/veracruz.h
#   main.rs            Rust (Debian rustc 1.63, wasm32-wasi): std, plus the Debian crates named in
#                      the folder's `crates` file (one `NAME VERSION EDITION` a line, each a crate
#                      without dependencies of its own, from /usr/share/cargo/registry, installed by
#                      its librust-NAME-dev package; .ci/run installs them)
# Builds are byte-reproducible: we always compile from the repository root with relative paths,
# strip symbols, and remap the absolute source prefix, so a clean clone in any directory rebuilds
# the committed bytes, whether started by `npm run build:programs` or by bash (scripts/check-guests.sh
# checks both in CI).
# Usage: scripts/build-programs.sh [NAME...]   (default: every example)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export SOURCE_DATE_EPOCH=0
export LC_ALL=C

build_as() {
  local dir="$1" name="$2"
  npx --no-install asc "$dir/assembly/index.ts" -o "$dir/$name.wasm" \
    --optimizeLevel 3 --shrinkLevel 0 --runtime incremental \
    --exportStart _start --use abort=sdk/assemblyscript/core/abortHandler
}

build_c() {
  local dir="$1" name="$2"
  bash scripts/wasm-cc.sh "$dir/$name.wasm" "$dir/main.c" -O2 -s -std=c11 -Wall -Werror -I sdk/c \
    -fdebug-prefix-map="$root"=. -ffile-prefix-map="$root"=. -lm
}

registry=/usr/share/cargo/registry

build_rust() {
  local dir="$1" name="$2" crates=() lib
  lib="$(mktemp -d)"
  if [ -f "$dir/crates" ]; then
    while read -r crate version edition; do
      [ -n "$crate" ] || continue
      local src="$registry/$crate-$version/src/lib.rs"
      if [ ! -f "$src" ]; then
        echo "$dir needs the Debian crate $crate $version: apt-get install librust-$crate-dev" >&2
        exit 1
      fi
      /usr/bin/rustc --target wasm32-wasi -O --edition "$edition" --crate-type rlib \
        --crate-name "$crate" --cap-lints allow --remap-path-prefix="$registry"=/cargo \
        -C codegen-units=1 "$src" -o "$lib/lib$crate.rlib"
      crates+=(--extern "$crate=$lib/lib$crate.rlib")
    done < "$dir/crates"
  fi
  /usr/bin/rustc --target wasm32-wasi -O --edition 2021 --crate-name "${name//-/_}" \
    --remap-path-prefix="$root"=. --remap-path-prefix="$registry"=/cargo --remap-path-prefix="$lib"=/lib \
    -C strip=symbols -C codegen-units=1 ${crates[@]+"${crates[@]}"} \
    "$dir/main.rs" -o "$dir/$name.wasm"
  rm -rf "$lib"
}

names=("$@")
if [ "${#names[@]}" -eq 0 ]; then
  for dir in sdk/examples/*/; do names+=("$(basename "$dir")"); done
fi

for name in "${names[@]}"; do
  dir="sdk/examples/$name"
  if [ -f "$dir/assembly/index.ts" ]; then lang=assemblyscript; build_as "$dir" "$name"
  elif [ -f "$dir/main.c" ]; then lang=c; build_c "$dir" "$name"
  elif [ -f "$dir/main.rs" ]; then lang=rust; build_rust "$dir" "$name"
  else continue
  fi
  echo "built $dir/$name.wasm ($lang, $(wc -c < "$dir/$name.wasm") bytes)"
done

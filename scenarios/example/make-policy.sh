#!/usr/bin/env bash
# Regenerates scenarios/example/policy.json with `vc policy generate` (our vc-pgen).
# Identities are made once (vc identity never overwrites); delete keys/ to start afresh.
# Replace example.wasm or the runtime hash and run this again: the policy hash changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
vc() { node "$root/bin/vc.mjs" "$@"; }
keys="$here/keys"

for name in program-provider data-provider result-reader; do
  [[ -f "$keys/$name.crt.pem" ]] || vc identity new --name "$name" --out "$keys" --days 3650
done
[[ -f "$keys/verifier.crt.pem" ]] || vc identity ca --name verifier --out "$keys" --days 3650

# Until `vc attest measure` exists this is a placeholder measurement of our runtime on `sim`.
runtime_hash="${RUNTIME_HASH:-$(printf 'veracruz-ts placeholder runtime' | sha256sum | cut -d' ' -f1)}"
expiry="$(date -u -d '+5 years' '+%Y-%m-%dT00:00:00Z')"

cd "$here"
vc policy generate \
  --certificate keys/program-provider.crt.pem --capability '/program/:w' \
  --certificate keys/data-provider.crt.pem --capability '/input/:w,stdin:w' \
  --certificate keys/result-reader.crt.pem --capability '/program/:x,/output/:r,stdout:r,stderr:r' \
  --program-binary /program/example.wasm=example.wasm \
  --capability '/input/:r,/output/:rw,stdin:r,stdout:w,stderr:w' \
  --veracruz-server-ip 127.0.0.1:3017 \
  --proxy-attestation-server-ip 127.0.0.1:3010 \
  --proxy-attestation-server-cert keys/verifier.crt.pem \
  --runtime-hash "sim=$runtime_hash" \
  --certificate-expiry "$expiry" \
  --execution-strategy JIT \
  --max-memory-mib 256 \
  --shutdown any \
  --execution-timeout-ms 60000 \
  --output-policy-file policy.json

// Which runtime measurements a policy accepts on an attestation platform. Our platforms are
// `sim`, `psa`, `nitro`, `cca`, `sevsnp`, `tdx` and `sgx` (see docs/attestation.md); Veracruz's fields are per
// linux/nitro/sevsnp.
// `sim` mimics Veracruz's Linux backend, so it also accepts `runtime_manager_hash_linux`.
import type { Platform, Policy } from './types.js';

const VERACRUZ_FIELD_FOR: Readonly<Record<string, Platform>> = {
  sim: 'linux',
  linux: 'linux',
  nitro: 'nitro',
  sevsnp: 'sevsnp',
};

/** Lowercase hex measurements accepted on `platform`: our extension's list, then Veracruz's field. */
export function acceptedRuntimeHashes(policy: Policy, platform: string): string[] {
  const ours = policy.extensions.runtimeHashes?.[platform] ?? [];
  const field = VERACRUZ_FIELD_FOR[platform];
  const theirs = field === undefined ? null : policy.runtimeManagerHashes[field];
  return theirs === null || ours.includes(theirs) ? [...ours] : [...ours, theirs];
}

/**
 * True when `measurement` (lowercase hex) is accepted on `platform`. A 96-hex SHA-384 Nitro PCR0
 * also matches Veracruz's 64-hex `runtime_manager_hash_nitro`, which vc-pgen truncates to 32 bytes.
 */
export function isRuntimeAccepted(policy: Policy, platform: string, measurement: string): boolean {
  const hash = measurement.toLowerCase();
  const accepted = acceptedRuntimeHashes(policy, platform);
  if (accepted.includes(hash)) return true;
  const nitro = policy.runtimeManagerHashes.nitro;
  return platform === 'nitro' && hash.length === 96 && nitro !== null && hash.startsWith(nitro);
}

// Endorsements (platform keys and roots) and reference values (allowed measurements) kept in the
// verifier's state store, managed by `vc attest endorse` / `vc attest reference`.
//   endorsement.<platform>.<id>   id = the instance id a key is endorsed for (sim, psa, cca: by default
//                                 0x01 || SHA-256(key point), or the one given), or the root's SHA-256
//                                 (nitro; sevsnp: an AMD ARK; tdx, sgx: the Intel SGX Root CA)
//   reference.<platform>.<kind>.<hex>   kind = "measurement", for nitro "pcr<N>", for cca "rem0".."rem3"
//                                       and "personalization", for tdx "rtmr<N>", "mrconfigid",
//                                       "mrowner", "mrownerconfig", for sgx "mrsigner"
import { x509 } from '../../protocol/index.js';
import { normalizeHex, pemBlocks, sha256, toHex, toPem } from '../bytes.js';
import { endorsedKeyFromSpki } from '../endorsement-keys.js';
import { fail } from '../errors.js';
import { DCAP_VALUE_KINDS } from '../platforms/tdx.js';
import type { EndorsedKey, PlatformName } from '../platforms/types.js';
import { fromJsonBytes, jsonBytes, type StateStore } from '../../transport/index.js';

/** Platforms endorsed by root certificates; the others by keys. */
const ROOT_PLATFORMS: readonly PlatformName[] = ['nitro', 'sevsnp', 'tdx', 'sgx'];

export interface EndorsementRecord {
  readonly platform: PlatformName;
  readonly kind: 'key' | 'root';
  readonly id: string;
  /** SPKI PEM (key) or certificate PEM (root). */
  readonly pem: string;
  readonly label?: string;
}

export interface ReferenceRecord {
  readonly platform: PlatformName;
  /** "measurement", or "pcr<N>" for Nitro PCRs other than PCR0. */
  readonly kind: string;
  /** Lowercase hex. */
  readonly value: string;
  readonly label?: string;
}

export class Registry {
  private readonly store: StateStore;

  constructor(store: StateStore) {
    this.store = store;
  }

  /**
   * Registers a platform public key (sim, psa, cca) from SPKI PEM for an instance id (lowercase
   * hex; default 0x01 || SHA-256 of the key's point); returns its record.
   */
  async addKey(
    platform: PlatformName,
    pem: string,
    label?: string,
    instanceId?: string,
  ): Promise<EndorsementRecord> {
    if (ROOT_PLATFORMS.includes(platform))
      fail('ERR_ATTESTATION_PLATFORM', `${platform} is endorsed by a root certificate, not a key`);
    if (platform === 'sim' && instanceId !== undefined)
      fail('ERR_ATTESTATION_PLATFORM', "a sim key's instance id is always the hash of the key");
    const spki = pemBlocks(pem, 'PUBLIC KEY')[0];
    if (!spki) fail('ERR_ENDORSEMENT_UNKNOWN', 'no PUBLIC KEY block');
    const endorsed = await endorsedKeyFromSpki(spki);
    const id = instanceId === undefined ? endorsed.instanceId : normalizeHex(instanceId);
    if (id.length === 0 || id.length % 2 !== 0 || id.length > 128)
      fail('ERR_ENDORSEMENT_UNKNOWN', 'the instance id is not 1 to 64 bytes of hex');
    return this.save({
      platform,
      kind: 'key',
      id,
      pem: toPem(spki, 'PUBLIC KEY'),
      ...(label ? { label } : {}),
    });
  }

  /** Registers a root certificate (nitro; sevsnp: an AMD ARK; tdx, sgx) from PEM. */
  async addRoot(platform: PlatformName, pem: string, label?: string): Promise<EndorsementRecord> {
    if (!ROOT_PLATFORMS.includes(platform))
      fail('ERR_ATTESTATION_PLATFORM', `${platform} is endorsed by keys, not roots`);
    const der = pemBlocks(pem, 'CERTIFICATE')[0];
    if (!der) fail('ERR_ENDORSEMENT_UNKNOWN', 'no CERTIFICATE block');
    new x509.X509Certificate(der);
    return this.save({
      platform,
      kind: 'root',
      id: toHex(sha256(der)),
      pem: toPem(der, 'CERTIFICATE'),
      ...(label ? { label } : {}),
    });
  }

  private async save(record: EndorsementRecord): Promise<EndorsementRecord> {
    await this.store.put(`endorsement.${record.platform}.${record.id}`, jsonBytes(record));
    return record;
  }

  async removeEndorsement(platform: PlatformName, id: string): Promise<void> {
    await this.store.delete(`endorsement.${platform}.${normalizeHex(id)}`);
  }

  async endorsements(platform?: PlatformName): Promise<EndorsementRecord[]> {
    return this.records<EndorsementRecord>(`endorsement.${platform ? `${platform}.` : ''}`);
  }

  /** Each endorsed key with the instance id it was endorsed for (the record's id). */
  async keysFor(platform: PlatformName): Promise<EndorsedKey[]> {
    const records = (await this.endorsements(platform)).filter((r) => r.kind === 'key');
    return Promise.all(
      records.map(async (r) => {
        const { key } = await endorsedKeyFromSpki(
          pemBlocks(r.pem, 'PUBLIC KEY')[0] ?? new Uint8Array(),
        );
        return { instanceId: r.id, key };
      }),
    );
  }

  async rootsFor(platform: PlatformName): Promise<Uint8Array[]> {
    const records = (await this.endorsements(platform)).filter((r) => r.kind === 'root');
    return records.flatMap((r) => pemBlocks(r.pem, 'CERTIFICATE'));
  }

  async addReference(
    platform: PlatformName,
    value: string,
    kind = 'measurement',
    label?: string,
  ): Promise<ReferenceRecord> {
    if (
      kind !== 'measurement' &&
      !(platform === 'nitro' && /^pcr([1-9]|[12][0-9]|3[01])$/.test(kind)) &&
      !(platform === 'cca' && /^(rem[0-3]|personalization)$/.test(kind)) &&
      !((platform === 'tdx' || platform === 'sgx') && DCAP_VALUE_KINDS[platform].includes(kind))
    ) {
      fail('ERR_ATTESTATION_PLATFORM', `reference kind "${kind}" is not known for ${platform}`);
    }
    const hex = normalizeHex(value);
    if (hex.length === 0 || hex.length % 2 !== 0)
      fail('ERR_MEASUREMENT_NOT_ALLOWED', 'reference value is not hex');
    const record: ReferenceRecord = { platform, kind, value: hex, ...(label ? { label } : {}) };
    await this.store.put(`reference.${platform}.${kind}.${hex}`, jsonBytes(record));
    return record;
  }

  async removeReference(
    platform: PlatformName,
    value: string,
    kind = 'measurement',
  ): Promise<void> {
    await this.store.delete(`reference.${platform}.${kind}.${normalizeHex(value)}`);
  }

  async references(platform?: PlatformName): Promise<ReferenceRecord[]> {
    return this.records<ReferenceRecord>(`reference.${platform ? `${platform}.` : ''}`);
  }

  /** Allowed measurements, (nitro) expected PCRs and (cca, tdx, sgx) named values, as the plugins take them. */
  async referenceValues(platform: PlatformName): Promise<{
    measurements: Set<string>;
    pcrs: Map<number, Set<string>>;
    named: Map<string, Set<string>>;
  }> {
    const measurements = new Set<string>();
    const pcrs = new Map<number, Set<string>>();
    const named = new Map<string, Set<string>>();
    for (const r of await this.references(platform)) {
      if (r.kind === 'measurement') measurements.add(r.value);
      else if (platform === 'nitro') {
        const index = Number(r.kind.slice(3));
        pcrs.set(index, (pcrs.get(index) ?? new Set()).add(r.value));
      } else named.set(r.kind, (named.get(r.kind) ?? new Set()).add(r.value));
    }
    return { measurements, pcrs, named };
  }

  private async records<T>(prefix: string): Promise<T[]> {
    return (await this.store.entries(prefix)).map(([, entry]) => fromJsonBytes<T>(entry.value));
  }
}

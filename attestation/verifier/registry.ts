// Endorsements (platform keys and roots) and reference values (allowed measurements) kept in the
// verifier's state store, managed by `vc attest endorse` / `vc attest reference`.
//   endorsement.<platform>.<id>   id = the key's instance id (sim, psa) or the root's SHA-256 (nitro, tdx, sgx)
//   reference.<platform>.<kind>.<hex>   kind = "measurement", for nitro "pcr<N>", for tdx "rtmr<N>",
//                                       "mrconfigid", "mrowner", "mrownerconfig", for sgx "mrsigner"
import { x509 } from '../../protocol/index.js';
import { normalizeHex, pemBlocks, sha256, toHex, toPem } from '../bytes.js';
import { endorsedKeyFromSpki } from '../endorsement-keys.js';
import { fail } from '../errors.js';
import { DCAP_VALUE_KINDS } from '../platforms/tdx.js';
import type { EndorsedKey, PlatformName } from '../platforms/types.js';
import { fromJsonBytes, jsonBytes, type StateStore } from '../../transport/index.js';

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

const ROOT_PLATFORMS: readonly PlatformName[] = ['nitro', 'tdx', 'sgx'];

export class Registry {
  private readonly store: StateStore;

  constructor(store: StateStore) {
    this.store = store;
  }

  /** Registers a platform public key (sim, psa) from SPKI PEM; returns its record. */
  async addKey(platform: PlatformName, pem: string, label?: string): Promise<EndorsementRecord> {
    if (ROOT_PLATFORMS.includes(platform))
      fail('ERR_ATTESTATION_PLATFORM', `${platform} is endorsed by a root certificate, not a key`);
    const spki = pemBlocks(pem, 'PUBLIC KEY')[0];
    if (!spki) fail('ERR_ENDORSEMENT_UNKNOWN', 'no PUBLIC KEY block');
    const endorsed = await endorsedKeyFromSpki(spki);
    return this.save({
      platform,
      kind: 'key',
      id: endorsed.instanceId,
      pem: toPem(spki, 'PUBLIC KEY'),
      ...(label ? { label } : {}),
    });
  }

  /** Registers a root certificate (nitro, tdx, sgx) from PEM. */
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

  async keysFor(platform: PlatformName): Promise<EndorsedKey[]> {
    const records = (await this.endorsements(platform)).filter((r) => r.kind === 'key');
    return Promise.all(
      records.map((r) =>
        endorsedKeyFromSpki(pemBlocks(r.pem, 'PUBLIC KEY')[0] ?? new Uint8Array()),
      ),
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

  /** Allowed measurements, (nitro) expected PCRs and (tdx, sgx) named values, as the plugins take them. */
  async referenceValues(platform: PlatformName): Promise<{
    measurements: Set<string>;
    pcrs: Map<number, Set<string>>;
    values: Map<string, Set<string>>;
  }> {
    const measurements = new Set<string>();
    const pcrs = new Map<number, Set<string>>();
    const values = new Map<string, Set<string>>();
    for (const r of await this.references(platform)) {
      if (r.kind === 'measurement') measurements.add(r.value);
      else if (platform !== 'nitro')
        values.set(r.kind, (values.get(r.kind) ?? new Set()).add(r.value));
      else {
        const index = Number(r.kind.slice(3));
        pcrs.set(index, (pcrs.get(index) ?? new Set()).add(r.value));
      }
    }
    return { measurements, pcrs, values };
  }

  private async records<T>(prefix: string): Promise<T[]> {
    const out: T[] = [];
    for (const key of await this.store.keys(prefix)) {
      const entry = await this.store.get(key);
      if (entry) out.push(fromJsonBytes<T>(entry.value));
    }
    return out;
  }
}

// The verifier core (phases 2 and 4, docs/architecture.md): issues challenges, appraises evidence with the platform
// plugin against the store's endorsements and reference values, checks the binding of the CSR and
// the policy, and issues the enclave certificate. No I/O of its own besides the injected store; the
// NATS service and the XState machine wrap this class.
import { bindingNonce } from './expected-binding.js';
import { equalBytes, fromHex, sha256, toHex } from '../bytes.js';
import { hpkeKeyFromCsr } from '../ca/csr-hpke.js';
import { issueEnclaveCertificate } from '../ca/issue-enclave-cert.js';
import type { CaIdentity } from '../ca/ca-identity.js';
import { AttestationError, fail } from '../errors.js';
import { pluginFor } from '../platforms/registry.js';
import { isPlatformName, type AppraisedEvidence, type PlatformName } from '../platforms/types.js';
import type { StateStore } from '../../transport/index.js';
import type { x509 } from '../../protocol/index.js';
import type { Clock, RandomBytes } from './deps.js';
import { Registry } from './registry.js';
import {
  consumeSession,
  createSession,
  finishSession,
  pruneSessions,
  type SessionRecord,
} from './sessions.js';

export interface VerifierConfig {
  /** How long a challenge stays fresh. */
  readonly challengeTtlMs: number;
  /** Upper bound of an enclave certificate's lifetime (the policy expiry may cut it shorter). */
  readonly certLifetimeMs: number;
  /** Accept `sim` evidence. False is strict mode. */
  readonly allowSimulation: boolean;
  /** Accept debug evidence (Nitro all-zero PCRs, PSA and CCA platform debug lifecycles, SEV-SNP policy DEBUG bit). */
  readonly allowDebug: boolean;
  /** TDX/SGX TCB statuses accepted (Intel's names); Revoked never is. */
  readonly tcbStatuses: readonly string[];
}

const DEFAULT_VERIFIER_CONFIG: VerifierConfig = {
  challengeTtlMs: 60_000,
  certLifetimeMs: 24 * 3600_000,
  allowSimulation: false,
  allowDebug: false,
  tcbStatuses: [
    'UpToDate',
    'SWHardeningNeeded',
    'ConfigurationNeeded',
    'ConfigurationAndSWHardeningNeeded',
  ],
};

/** Looks up a policy's expiry by its hash when a challenge request does not carry it. */
export type PolicyResolver = (
  policyHash: string,
) => Promise<{ enclaveCertExpiry: Date } | undefined>;

export interface VerifierDeps {
  readonly store: StateStore;
  readonly ca: CaIdentity;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly config?: Partial<VerifierConfig>;
  readonly policies?: PolicyResolver;
}

export interface ChallengeRequest {
  readonly computation: string;
  readonly platform: string;
  /** Lowercase hex SHA-256 of the policy file. */
  readonly policyHash: string;
  /** The policy's enclave_cert_expiry, when the caller has parsed the policy. */
  readonly enclaveCertExpiry?: Date;
}

/** Matches protocol/messages AttestChallengeBody. */
export interface Challenge {
  readonly attestation: string;
  readonly nonce: Uint8Array;
  readonly expiresAt: number;
}

/** Matches protocol/messages AttestEvidenceBody. */
export interface EvidenceSubmission {
  readonly attestation: string;
  readonly platform: string;
  readonly evidence: Uint8Array;
  readonly csr: Uint8Array;
}

export interface IssuedCertificate {
  readonly attestation: string;
  /** PEM, enclave leaf first, then the CA certificate (AttestCertificateBody.chain). */
  readonly chain: readonly string[];
  readonly certificate: x509.X509Certificate;
  readonly appraisal: AppraisedEvidence;
}

export class Verifier {
  readonly registry: Registry;
  readonly config: VerifierConfig;
  private readonly deps: VerifierDeps;

  constructor(deps: VerifierDeps) {
    this.deps = deps;
    this.config = { ...DEFAULT_VERIFIER_CONFIG, ...deps.config };
    this.registry = new Registry(deps.store);
  }

  /** Phase 2: a fresh nonce for one attestation session. */
  async challenge(request: ChallengeRequest): Promise<Challenge> {
    const platform = this.checkPlatform(request.platform);
    const policyHash = request.policyHash.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(policyHash))
      fail('ERR_ATTESTATION_POLICY_BINDING', 'policy hash is not a SHA-256 hex');
    const expiry =
      request.enclaveCertExpiry ?? (await this.deps.policies?.(policyHash))?.enclaveCertExpiry;
    if (!expiry)
      fail('ERR_POLICY_UNKNOWN', 'the verifier does not know this policy', { policyHash });
    const now = this.deps.clock();
    if (expiry <= now)
      fail('ERR_POLICY_EXPIRED', 'the policy has expired', {
        enclaveCertExpiry: expiry.toISOString(),
      });
    const id = toHex(this.deps.random(16));
    const nonce = this.deps.random(32);
    const expiresAt = new Date(now.getTime() + this.config.challengeTtlMs);
    await createSession(this.deps.store, {
      id,
      computation: request.computation,
      platform,
      policyHash,
      policyExpiry: expiry.toISOString(),
      nonce: toHex(nonce),
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      state: 'challenged',
    });
    return { attestation: id, nonce, expiresAt: expiresAt.getTime() };
  }

  /** Phase 4: appraise and certify. Any failure is final for the session. */
  async appraise(submission: EvidenceSubmission): Promise<IssuedCertificate> {
    const evidence = Uint8Array.from(submission.evidence);
    const csr = Uint8Array.from(submission.csr);
    const session = await consumeSession(this.deps.store, submission.attestation);
    try {
      const issued = await this.appraiseSession(session, submission.platform, evidence, csr);
      await finishSession(this.deps.store, {
        ...session,
        state: 'issued',
        serial: issued.certificate.serialNumber,
      });
      await this.deps.store.put(
        `issued.${issued.certificate.serialNumber}`,
        new TextEncoder().encode(issued.chain[0] ?? ''),
      );
      return issued;
    } catch (error) {
      const code = error instanceof AttestationError ? error.code : 'ERR_INTERNAL';
      await finishSession(this.deps.store, { ...session, state: 'rejected', rejection: code });
      throw error;
    }
  }

  private async appraiseSession(
    session: SessionRecord,
    platformName: string,
    evidence: Uint8Array,
    csr: Uint8Array,
  ): Promise<IssuedCertificate> {
    const now = this.deps.clock();
    if (now.getTime() > Date.parse(session.expiresAt))
      fail('ERR_ATTESTATION_CHALLENGE_EXPIRED', 'the challenge has expired');
    const platform = this.checkPlatform(platformName);
    if (platform !== session.platform)
      fail(
        'ERR_ATTESTATION_PLATFORM',
        `challenge was for ${session.platform}, evidence is ${platform}`,
      );
    const policyExpiry = new Date(session.policyExpiry);
    if (policyExpiry <= now) fail('ERR_POLICY_EXPIRED', 'the policy has expired');
    const binding = {
      nonce: fromHex(session.nonce),
      csrHash: sha256(csr),
      policyHash: fromHex(session.policyHash),
    };
    const references = await this.registry.referenceValues(platform);
    const appraisal = await pluginFor(platform).appraise(evidence, {
      at: now,
      keys: await this.registry.keysFor(platform),
      roots: await this.registry.rootsFor(platform),
      expectedNonce: bindingNonce(platform, binding),
      allowedMeasurements: references.measurements,
      expectedPcrs: references.pcrs,
      expectedValues: references.named,
      tcbStatuses: new Set(this.config.tcbStatuses),
      allowDebug: this.config.allowDebug,
    });
    checkBinding(platform, appraisal, binding);
    const certificate = await issueEnclaveCertificate({
      ca: this.deps.ca,
      csr,
      info: {
        platform,
        measurement: appraisal.measurement,
        policyHash: session.policyHash,
        hpkePublicKey: await hpkeKeyFromCsr(csr),
        insecure: appraisal.insecure,
      },
      now,
      lifetimeMs: this.config.certLifetimeMs,
      policyExpiry,
      random: this.deps.random,
      label: session.id,
    });
    const chain = [certificate.toString('pem'), this.deps.ca.certificate.toString('pem')];
    return { attestation: session.id, chain, certificate, appraisal };
  }

  /** Forgets sessions whose challenge expired more than `retentionMs` ago (default one day). */
  async pruneSessions(retentionMs = 24 * 3600_000): Promise<number> {
    return pruneSessions(this.deps.store, new Date(this.deps.clock().getTime() - retentionMs));
  }

  private checkPlatform(name: string): PlatformName {
    if (!isPlatformName(name))
      fail('ERR_ATTESTATION_PLATFORM', `unknown attestation platform "${name}"`);
    if (name === 'sim' && !this.config.allowSimulation) {
      fail(
        'ERR_ATTESTATION_SIMULATED',
        'simulated attestation refused: this verifier is in strict mode',
      );
    }
    return name;
  }
}

/** The CSR hash and policy hash the evidence carries must be this session's. */
function checkBinding(
  platform: PlatformName,
  appraisal: AppraisedEvidence,
  binding: { csrHash: Uint8Array; policyHash: Uint8Array },
): void {
  // psa and cca bind the CSR and policy through their nonce claim, sevsnp, tdx and sgx through
  // report_data (see binding.ts).
  if (['psa', 'cca', 'sevsnp', 'tdx', 'sgx'].includes(platform)) return;
  if (!appraisal.csrHash || !equalBytes(appraisal.csrHash, binding.csrHash)) {
    fail('ERR_ATTESTATION_CSR_MISMATCH', 'the evidence does not bind this CSR');
  }
  if (!appraisal.policyHash || !equalBytes(appraisal.policyHash, binding.policyHash)) {
    fail('ERR_ATTESTATION_POLICY_BINDING', 'the evidence does not bind this policy');
  }
}

// Who may sign what, from the policy: participants by their policy certificate (sender id
// `c:<fingerprint>`), the verifier by `proxy_service_cert` (sender id `verifier`).
import type { webcrypto } from 'node:crypto';
import { parseCertificatePem, type Policy } from '../../protocol/index.js';
import { importVerifyKey } from '../../transport/index.js';
import { certificateSenderId } from './sender-ids.js';

export const VERIFIER_SENDER_ID = 'verifier';

export interface PolicyParticipant {
  readonly id: number;
  readonly senderId: string;
  readonly key: webcrypto.CryptoKey;
}

export async function policyParticipants(policy: Policy): Promise<Map<string, PolicyParticipant>> {
  const byId = new Map<string, PolicyParticipant>();
  for (const identity of policy.identities) {
    const certificate = parseCertificatePem(identity.certificate);
    const senderId = certificateSenderId(new Uint8Array(certificate.rawData));
    const key = await importVerifyKey(new Uint8Array(certificate.publicKey.rawData));
    byId.set(senderId, { id: identity.id, senderId, key });
  }
  return byId;
}

export async function verifierKey(policy: Policy): Promise<webcrypto.CryptoKey> {
  const certificate = parseCertificatePem(policy.proxyServiceCert);
  return importVerifyKey(new Uint8Array(certificate.publicKey.rawData));
}

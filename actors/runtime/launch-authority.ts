// Who may make a host start an enclave worker (docs/threat-model.md, "Who may launch"): a
// participant the launched policy names, signing as `c:<certificate fingerprint>` with its policy
// certificate's key, or an operator whose public key the host trusts (`vc host --launcher-keys`),
// signing as the self-certifying `k:<point>` of that key. Anything else is ERR_LAUNCH_NOT_AUTHORIZED
// before the host creates a registry entry or starts a worker.
import {
  ProtocolError,
  UsageError,
  importPrivateKeyPem,
  parseCertificatePem,
  parsePolicy,
  publicKeyDerOfPrivatePem,
  toVcError,
  type Identity,
  type VcError,
} from '../../protocol/index.js';
import { decodePlain, importVerifyKey, type KeyLookup } from '../../transport/index.js';
import type { Signer } from './endpoint.js';
import { policyParticipants, type PolicyParticipant } from './policy-keys.js';
import { certificateSenderId, keyFromSenderId, keySenderId } from './sender-ids.js';

/** A launcher signing as a participant of the policy it launches. */
export function participantSigner(identity: Identity): Signer {
  return {
    id: certificateSenderId(new Uint8Array(identity.certificate.rawData)),
    key: identity.privateKey,
  };
}

/** The `k:` sender id of a P-256 public key (SPKI DER); operator keys must be P-256. */
async function operatorIdOf(spki: Uint8Array, where: string): Promise<string> {
  const key = await importVerifyKey(spki);
  const algorithm = key.algorithm as { name: string; namedCurve?: string };
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256')
    throw new UsageError(
      `${where}: operator keys must be P-256 (vc identity new --algorithm p256)`,
    );
  return keySenderId(key);
}

/** A launcher signing with an operator key (a P-256 private key PEM, e.g. from `vc identity new`). */
export async function operatorSigner(privateKeyPem: string): Promise<Signer> {
  const id = await operatorIdOf(publicKeyDerOfPrivatePem(privateKeyPem), 'the operator key');
  return { id, key: await importPrivateKeyPem(privateKeyPem) };
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * A `--launcher-keys` file's text (`file` names it in refusals): one or more PEM blocks, each a
 * `PUBLIC KEY` (SPKI) or a `CERTIFICATE` (its subject key counts, its validity and issuer do not),
 * all P-256; text between blocks is ignored (comments). Returns the operators' `k:` sender ids.
 */
export async function parseLauncherKeys(text: string, file: string): Promise<string[]> {
  const ids: string[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const [block, label] = match;
    const where = `--launcher-keys ${file}, block ${ids.length + 1}`;
    if (label === 'CERTIFICATE')
      ids.push(await operatorIdOf(pemSpki(block), where).catch(rethrowAs(where)));
    else if (label === 'PUBLIC KEY')
      ids.push(await operatorIdOf(pemBody(block), where).catch(rethrowAs(where)));
    else throw new UsageError(`${where}: a ${label} block (PUBLIC KEY or CERTIFICATE expected)`);
  }
  if (ids.length === 0)
    throw new UsageError(`--launcher-keys ${file} holds no PUBLIC KEY or CERTIFICATE block`);
  return ids;
}

function pemBody(block: string): Uint8Array {
  return new Uint8Array(Buffer.from(block.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
}

function pemSpki(block: string): Uint8Array {
  return new Uint8Array(parseCertificatePem(block).publicKey.rawData);
}

function rethrowAs(where: string): (error: unknown) => never {
  return (error) => {
    const cause = toVcError(error);
    if (cause.code === 'ERR_USAGE') throw cause;
    throw new UsageError(`${where}: not a P-256 key (${cause.code})`);
  };
}

/** The participants' sender ids of a launch body's policy; empty when it does not parse. */
async function participantIds(
  policyBytes: unknown,
  now: Date,
): Promise<Map<string, PolicyParticipant>> {
  if (!(policyBytes instanceof Uint8Array)) return new Map();
  try {
    return await policyParticipants(parsePolicy(policyBytes, { now }).policy);
  } catch {
    return new Map();
  }
}

/**
 * The key lookup of `vc.hosts.launch`: an operator's `k:` id when the host trusts it, a `c:` id
 * when the request's own policy names that certificate (the candidate key is read from the not yet
 * verified body; the signature check that follows is what confirms it). Any other sender is
 * unknown, which `refuseLaunch` turns into ERR_LAUNCH_NOT_AUTHORIZED.
 */
export function launchKeyLookup(operators: ReadonlySet<string>, clock: () => Date): KeyLookup {
  return async (from, _computation, unverifiedBody) => {
    if (from.startsWith('k:')) return operators.has(from) ? keyFromSenderId(from) : undefined;
    if (!from.startsWith('c:')) return undefined;
    let body: unknown;
    try {
      body = decodePlain(unverifiedBody);
    } catch {
      return undefined;
    }
    const policy = (body as { policy?: unknown } | null)?.policy;
    return (await participantIds(policy, clock())).get(from)?.key;
  };
}

/** A launch request from an unknown sender is answered ERR_LAUNCH_NOT_AUTHORIZED. */
export function refuseLaunch(error: VcError): VcError {
  if (error.code !== 'ERR_UNKNOWN_SENDER') return error;
  return notAuthorized(error);
}

function notAuthorized(cause?: VcError): ProtocolError {
  return new ProtocolError(
    'ERR_LAUNCH_NOT_AUTHORIZED',
    'the launch request is signed neither by a participant of the policy nor by an operator key this host trusts',
    cause ? { cause } : {},
  );
}

/**
 * Checked again on the verified request: the signer is a trusted operator or a participant of
 * the policy the request carries. Returns who launched (`operator` or `participant`).
 */
export async function authorizeLaunch(
  from: string,
  policyBytes: Uint8Array,
  operators: ReadonlySet<string>,
  now: Date,
): Promise<'operator' | 'participant'> {
  if (operators.has(from)) return 'operator';
  if (from.startsWith('c:') && (await participantIds(policyBytes, now)).has(from))
    return 'participant';
  throw notAuthorized();
}

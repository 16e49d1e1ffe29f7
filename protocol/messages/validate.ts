// Body validators per message kind. Called after the envelope signature has been verified and the
// body decoded (verify-then-use): a body that fails its schema is refused with ERR_BAD_MESSAGE.
import type { BodyOf, MessageKind } from './bodies.js';
import { ProtocolError } from './errors.js';
import { isValidVfsPath } from './paths.js';
import {
  anyPlain,
  arrayOf,
  bool,
  bytes,
  int,
  obj,
  oneOf,
  record,
  str,
  uint,
  type Check,
} from './schema.js';

const MAX_FILE = 2 ** 40;
const MAX_SEALED = 64 * 2 ** 20;
const id = str(128, /^[A-Za-z0-9_.:-]+$/);
const hex64 = str(64, /^[0-9a-f]{64}$/);
const pem = str(64 * 1024, /^-----BEGIN [A-Z ]+-----/);
const vfsPath: Check = (value, at) =>
  typeof value === 'string' && isValidVfsPath(value) ? undefined : `${at} is not a valid file path`;
const chunk = obj({ upload: id, index: uint(2 ** 32), count: uint(2 ** 32) });
const provision = {
  path: vfsPath,
  sealed: bytes(MAX_SEALED),
  size: uint(MAX_FILE),
};

const schemas: { readonly [K in MessageKind]: Check } = {
  'host.launch': obj({ policy: bytes(1 << 20), platform: id, computation: id }),
  'host.launched': obj({ computation: id, host: id, worker: id }),
  'attest.start': obj({ computation: id, platform: id, policyHash: hex64, policy: bytes(1 << 20) }),
  'attest.challenge': obj({ attestation: id, nonce: bytes(1024), expiresAt: uint() }),
  'attest.evidence': obj({
    attestation: id,
    platform: id,
    evidence: bytes(1 << 20),
    csr: bytes(64 * 1024),
  }),
  'attest.certificate': obj({ attestation: id, chain: arrayOf(pem, 8) }),
  'session.hello': obj({}),
  'enclave.ready': obj({ session: id, policyHash: hex64, platform: id, chain: arrayOf(pem, 8) }),
  'provision.program': obj(provision, { chunk }),
  'provision.data': obj({ ...provision, mode: oneOf('write', 'append', 'stdin') }, { chunk }),
  'provision.ack': obj({ path: vfsPath, received: uint(MAX_FILE), complete: bool }),
  'compute.request': exactlyOne(
    obj({}, { program: vfsPath, pipeline: str(256) }),
    'program',
    'pipeline',
  ),
  'compute.done': obj({ target: str(4096), exitCode: int }),
  'result.read': obj({ path: vfsPath, replyKey: bytes(133) }),
  'result.data': obj({ path: vfsPath, sealed: bytes(MAX_SEALED), size: uint(MAX_FILE) }),
  'shutdown.request': obj({}),
  'shutdown.ack': obj({ shutDown: bool, waitingFor: arrayOf(uint(), 4096) }),
  'enclave.shutdown': obj({ session: id, reason: str(1024) }),
  'protocol.error': obj(
    { code: str(64, /^ERR_[A-Z0-9_]+$/), message: str(4096) },
    { details: record() },
  ),
  'trace.transition': obj(
    {
      actor: id,
      machine: id,
      index: uint(),
      event: record(),
      state: str(64 * 1024),
      outputs: arrayOf(record(), 1024),
    },
    { input: anyPlain() },
  ),
};

function exactlyOne(check: Check, a: string, b: string): Check {
  return (value, at) => {
    const problem = check(value, at);
    if (problem) return problem;
    const body = value as Record<string, unknown>;
    return (body[a] === undefined) === (body[b] === undefined)
      ? `${at} needs exactly one of ${a}, ${b}`
      : undefined;
  };
}

/** Returns a description of what is wrong with `body` for `kind`, or undefined when it is valid. */
export function bodyProblem(kind: MessageKind, body: unknown): string | undefined {
  const schema = schemas[kind];
  return schema(body, 'body');
}

/** Narrows `body` to the shape of `kind`, or throws ERR_BAD_MESSAGE. */
export function validateBody<K extends MessageKind>(kind: K, body: unknown): BodyOf<K> {
  const problem = bodyProblem(kind, body);
  if (problem !== undefined) {
    throw new ProtocolError('ERR_BAD_MESSAGE', `${kind}: ${problem}`, {
      details: { kind },
    });
  }
  return body as BodyOf<K>;
}

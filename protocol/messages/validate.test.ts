import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MESSAGE_KINDS,
  REPLY_KIND,
  isMessageKind,
  type BodyOf,
  type ProvisionMode,
} from './bodies.js';
import { bodyProblem, validateBody } from './validate.js';
import { computationIdFor, subjectsFor } from './subjects.js';
import { isVcError } from '../errors.js';

/** The default namespace's subjects. */
const S = subjectsFor();

const hash = 'a'.repeat(64);
const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const valid: Record<string, unknown> = {
  'host.launch': { policy: new Uint8Array([1]), platform: 'sim', computation: 'p1' },
  'host.launched': { computation: 'p1', host: 'h1', worker: 'w1' },
  'host.stop': {
    computation: 'p1',
    failure: { code: 'ERR_MEASUREMENT_NOT_ALLOWED', message: 'refused' },
  },
  'host.stopped': { computation: 'p1', state: 'stopped' },
  'attest.start': {
    computation: 'p1',
    platform: 'sim',
    policyHash: hash,
    policy: new Uint8Array(2),
  },
  'attest.challenge': { attestation: 'a1', nonce: new Uint8Array(32), expiresAt: 1 },
  'attest.evidence': {
    attestation: 'a1',
    platform: 'sim',
    evidence: new Uint8Array(3),
    csr: new Uint8Array(3),
  },
  'attest.certificate': { attestation: 'a1', chain: [pem, pem] },
  'session.hello': {},
  'enclave.ready': { session: 's1', policyHash: hash, platform: 'sim', chain: [pem] },
  'provision.program': {
    session: 's1',
    path: '/program/a.wasm',
    sealed: new Uint8Array(4),
    size: 4,
  },
  'provision.data': {
    session: 's1',
    path: '/input/a',
    sealed: new Uint8Array(4),
    size: 10,
    mode: 'append',
    chunk: { upload: 'u1', index: 0, count: 3 },
  },
  'provision.ack': { path: '/input/a', received: 4, complete: false },
  'compute.request': { session: 's1', program: '/program/a.wasm' },
  'compute.done': { target: '/program/a.wasm', exitCode: 0 },
  'result.read': { session: 's1', path: '/output/x', replyKey: new Uint8Array(65) },
  'result.data': { path: '/output/x', sealed: new Uint8Array(5), size: 1 },
  'shutdown.request': { session: 's1' },
  'shutdown.ack': { shutDown: false, waitingFor: [1, 2] },
  'session.open': { session: 's1', enc: new Uint8Array(65) },
  'session.opened': { channel: new Uint8Array(16) },
  'session.close': { session: 's1' },
  'session.receipt': {
    session: 's1',
    channel: new Uint8Array(16),
    requests: 3,
    replies: 3,
    transcript: hash,
  },
  'enclave.shutdown': { session: 's1', reason: 'requested' },
  'computation.ended': {
    computation: 'p0123',
    state: 'stopped',
    host: 'host-1',
    worker: 'pid-42',
    message: 'stopped by an operator',
    code: 'ERR_COMPUTATION_STOPPED',
  },
  'protocol.error': { code: 'ERR_ACCESS_DENIED', message: 'no', details: { path: '/x' } },
  'trace.transition': {
    actor: 'enclave',
    machine: 'enclave',
    index: 0,
    event: { type: 'x' },
    state: '"a"',
    outputs: [],
  },
  'trace.batch': {
    records: [
      {
        actor: 'enclave',
        machine: 'enclave',
        index: 0,
        event: { type: 'x' },
        state: '"a"',
        outputs: [],
      },
      {
        actor: 'enclave',
        machine: 'enclave',
        index: 1,
        event: { type: 'y' },
        state: '"b"',
        outputs: [],
      },
    ],
  },
};

test('every kind has a valid example and a reply table entry that is a kind', () => {
  for (const kind of MESSAGE_KINDS) {
    assert.equal(bodyProblem(kind, valid[kind]), undefined, kind);
  }
  for (const reply of Object.values(REPLY_KIND)) assert.ok(isMessageKind(reply));
  assert.equal(isMessageKind('xstate.init'), false);
});

test('unknown keys, missing keys and wrong types are refused with ERR_BAD_MESSAGE', () => {
  const cases: [string, unknown][] = [
    ['provision.program', { session: 's', path: '/p', sealed: new Uint8Array(1), size: 1, x: 1 }],
    ['provision.program', { session: 's', path: '/p', size: 1 }],
    ['provision.program', { path: '/p', sealed: new Uint8Array(1), size: 1 }],
    ['provision.data', { session: 's', path: '/p', sealed: new Uint8Array(1), size: 1, mode: 'x' }],
    ['compute.request', { session: 's' }],
    ['compute.request', { program: '/a' }],
    ['compute.request', { session: 's', program: '/a', pipeline: 'b' }],
    ['result.read', { session: 's', path: '/output/../secret', replyKey: new Uint8Array(65) }],
    ['shutdown.request', {}],
    [
      'attest.start',
      { computation: 'p1', platform: 'sim', policyHash: 'XYZ', policy: new Uint8Array(1) },
    ],
    ['protocol.error', { code: 'NOPE', message: 'x' }],
    ['session.hello', []],
    ['host.launch', { policy: 'not bytes', platform: 'sim', computation: 'p1' }],
    ['shutdown.ack', { shutDown: false, waitingFor: [-1] }],
    ['session.hello', null],
    ['provision.ack', { path: '/input/a', received: 1.5, complete: false }],
    ['provision.ack', { path: '/input/a', received: 2n ** 60n, complete: false }],
    ['provision.ack', { path: '/input/a', received: 2 ** 41, complete: false }],
    ['attest.challenge', { attestation: 'a1', nonce: new Uint8Array(1025), expiresAt: 1 }],
    ['attest.certificate', { attestation: 'a1', chain: Array.from({ length: 9 }, () => pem) }],
    ['enclave.ready', { session: 's1', policyHash: hash, platform: 'sim', chain: [1] }],
    [
      'provision.data',
      { path: '/input/a', sealed: new Uint8Array(1), size: 1, mode: 'write', chunk: { index: 0 } },
    ],
    ['protocol.error', { code: 'ERR_X', message: 'x', details: { at: new Date(0) } }],
    ['trace.batch', { records: [{ actor: 'enclave', machine: 'enclave', index: 0 }] }],
    ['session.open', { session: 's1', enc: new Uint8Array(64) }],
    ['session.receipt', { session: 's1', channel: new Uint8Array(16), requests: 1, replies: 1 }],
    [
      'trace.batch',
      {
        records: Array.from({ length: 65 }, (_, index) => ({
          actor: 'enclave',
          machine: 'enclave',
          index,
          event: { type: 'x' },
          state: '"a"',
          outputs: [],
        })),
      },
    ],
  ];
  for (const [i, [kind, body]] of cases.entries()) {
    assert.throws(
      () => validateBody(kind as never, body),
      (e: unknown) => isVcError(e, 'ERR_BAD_MESSAGE'),
      `case ${i}: ${kind}`,
    );
  }
});

test('extra keys named like Object.prototype members are refused by closed schemas', () => {
  // `key in schema` sees Object.prototype, so these once passed the closed-object check.
  for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
    for (const kind of ['session.hello', 'shutdown.request', 'compute.request'] as const) {
      const body: Record<string, unknown> = { ...(valid[kind] as object) };
      Object.defineProperty(body, key, { value: 1, enumerable: true });
      assert.throws(
        () => validateBody(kind, body),
        (e: unknown) => isVcError(e, 'ERR_BAD_MESSAGE'),
        `${kind} with ${key}`,
      );
    }
  }
  // ...and a required key is not "present" because a prototype has it.
  const inherited = Object.create({ program: '/program/a.wasm' }) as object;
  assert.ok(bodyProblem('compute.request', inherited));
});

test('body types are derived from the schemas: shapes outside them do not compile', () => {
  const data: BodyOf<'provision.data'> = {
    session: 's1',
    path: '/input/a',
    sealed: new Uint8Array(1),
    size: 1,
    mode: 'stdin',
    chunk: { upload: 'u1', index: 0, count: 1 },
  };
  // @ts-expect-error a mode the schema does not list
  const mode: ProvisionMode = 'delete';
  // @ts-expect-error a key the schema does not have
  const extra: BodyOf<'provision.ack'> = { path: '/a', received: 1, complete: true, more: 1 };
  // @ts-expect-error a required key missing
  const missing: BodyOf<'compute.done'> = { target: '/program/a.wasm' };
  // @ts-expect-error session.hello admits only the empty object
  const hello: BodyOf<'session.hello'> = { x: 1 };
  const error: BodyOf<'protocol.error'> = { code: 'ERR_BAD_MESSAGE', message: 'm' };
  for (const [kind, body] of [
    ['provision.data', data],
    ['protocol.error', error],
  ] as const)
    assert.equal(bodyProblem(kind, body), undefined);
  void [mode, extra, missing, hello]; // compile-time checks only
});

test('a class instance is not a plain body', () => {
  class Sneaky {
    path = '/p';
  }
  assert.ok(bodyProblem('provision.ack', new Sneaky()));
});

test('message paths: canonical (protocol/policy/paths.ts), a pseudo file or an absolute file', () => {
  const ack = (path: string) => ({ path, received: 0, complete: true });
  for (const ok of ['/program/a.wasm', 'stdin', '/a/b/c', '/stdout']) {
    assert.equal(bodyProblem('provision.ack', ack(ok)), undefined, ok);
  }
  const bad = ['', '/', '/output/', 'input/a', '/a/../b', '/./a', '//a', '/a\0b', 'stdinx'];
  for (const path of [...bad, `/${'a'.repeat(4096)}`]) {
    assert.ok(bodyProblem('provision.ack', ack(path)), path);
  }
});

test('a message path that climbs above the root is refused, not clamped to /etc', () => {
  assert.throws(
    () =>
      validateBody('result.read', {
        session: 's1',
        path: '/input/../../etc',
        replyKey: new Uint8Array(65),
      }),
    (e: unknown) => isVcError(e, 'ERR_BAD_MESSAGE') && /above the root/.test(e.message),
  );
});

test('subjects are per computation and refuse wildcard tokens', () => {
  const id = computationIdFor('0123456789abcdef'.repeat(4));
  assert.equal(id, 'p0123456789abcdef0123456789abcdef');
  assert.equal(S.enclave(id), `vc.c.${id}.enclave`);
  assert.equal(S.trace(id, 'participant-1'), `vc.c.${id}.trace.participant-1`);
  assert.throws(() => S.enclave('a.>'), RangeError);
  assert.throws(() => S.trace(id, '*'), RangeError);
});

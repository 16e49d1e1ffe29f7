// Fuzzes the enclave's inbound path with signed envelopes from enrolled participants: valid bodies
// and mutated ones, requests signed for another computation or naming another session, requests
// recorded in an earlier session of the same computation (signed, or MAC'd on that session's
// channel), and uploads whose chunks come out of
// order, twice, or past their end. Fixed seed, bounded count. After every message: the enclave
// answered (no crash, no silence); a refusal carries a catalog code other than ERR_INTERNAL and left
// the machine's state and context as they were; only an accepted request may have moved them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { identities } from '../../scenarios/testing/index.js';
import type { Inbound } from '../runtime/endpoint.js';
import { runParty } from '../participant/run-computation.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';
import {
  launchTarget,
  observe,
  ownerReaderPolicy,
  PROGRAM,
  recordSession,
  RawSender,
  refusalOf,
  type Target,
} from '../testing/enclave-kit.js';
import { isErrorCode } from '../../protocol/index.js';
import { sealTo } from '../../transport/index.js';

const SEED = 1313;
const RUNS = 250;

type Who = 'owner' | 'reader';
type Plain = null | boolean | number | string | Uint8Array | Plain[] | { [key: string]: Plain };

const plain: fc.Arbitrary<Plain> = fc.letrec<{ value: Plain }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.string({ maxLength: 12 }),
    fc.constantFrom('/input/a', '/input/../etc', '/output/x', PROGRAM, '', 's'),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const requestKind = fc.constantFrom(
  'provision.program',
  'provision.data',
  'compute.request',
  'result.read',
  'shutdown.request',
);

const mutation = fc.oneof(
  fc.record({ op: fc.constant('none' as const) }),
  fc.record({ op: fc.constant('drop' as const), key: fc.nat(6) }),
  fc.record({
    op: fc.constant('add' as const),
    key: fc.constantFrom('constructor', 'toString', 'hasOwnProperty', '__proto__', 'extra'),
    value: plain,
  }),
  fc.record({ op: fc.constant('set' as const), key: fc.nat(6), value: plain }),
);

const operation = fc.oneof(
  // Signed for the other computation, sent to this one (naming either session).
  fc.record({
    type: fc.constant('foreign' as const),
    kind: requestKind,
    ownSession: fc.boolean(),
  }),
  // Signed for this computation, naming a session that is not the current one.
  fc.record({
    type: fc.constant('stale' as const),
    kind: requestKind,
    session: fc.oneof(
      fc.constantFrom('first', 'other'),
      fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/),
    ),
  }),
  // A message of the first session, replayed as it was recorded.
  fc.record({ type: fc.constant('replay' as const), index: fc.nat() }),
  // A well-bound request whose body is mutated (or not).
  fc.record({
    type: fc.constant('mutated' as const),
    who: fc.constantFrom<Who>('owner', 'reader'),
    kind: fc.constantFrom('session.hello', ...requestKindNames()),
    mutation,
  }),
  // An upload whose chunks come in any order, twice, or past the end.
  fc.record({
    type: fc.constant('chunks' as const),
    who: fc.constantFrom<Who>('owner', 'reader'),
    path: fc.constantFrom('/input/c', PROGRAM, '/output/x'),
    mode: fc.constantFrom('write', 'append'),
    count: fc.integer({ min: 1, max: 4 }),
    indices: fc.array(fc.nat(5), { minLength: 1, maxLength: 6 }),
  }),
);

function requestKindNames() {
  return [
    'provision.program',
    'provision.data',
    'compute.request',
    'result.read',
    'shutdown.request',
  ] as const;
}

test('the enclave inbound path: no crash, every refusal typed and without effect', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, reader] = await identities(2);
    const policy = ownerReaderPolicy(system, owner!, reader!, { ownerAloneShutsDown: true });
    // Session 1: an honest run, recorded in the journal, then shut down.
    const { first, recorded } = await recordSession(system, policy, owner!, [
      { op: 'data', path: '/input/d', source: 'd', mode: 'write' },
      { op: 'result', path: '/input/d', destination: 'back' },
      { op: 'shutdown' },
    ]);
    assert.deepEqual(
      recorded.map((r) => r.header!.kind),
      ['session.open', 'provision.data', 'result.read', 'session.close', 'shutdown.request'],
    );

    // Session 2 of the same computation is the target; another computation runs beside it.
    const target = await launchTarget(system, policy);
    const other = await launchTarget(
      system,
      ownerReaderPolicy(system, owner!, reader!, { tag: '2', ownerAloneShutsDown: true }),
    );
    const senders: Record<Who, RawSender> = {
      owner: new RawSender(system, owner!),
      reader: new RawSender(system, reader!),
    };
    const hpke = target.launched.enclave!.hpkePublicKey;
    let uploads = 0;
    /** How often each refusal code (or accepted reply kind) came back. */
    const seen = new Map<string, number>();

    const validBody = async (kind: string, session: string, t: Target): Promise<Plain> => {
      const path = kind === 'provision.program' ? PROGRAM : '/input/m';
      const sealed = await sealTo(hpke, new Uint8Array([1, 2, 3]), {
        computation: t.computation,
        session,
        path,
        purpose: 'upload',
      });
      switch (kind) {
        case 'provision.program':
          return { session, path, sealed, size: 3 };
        case 'provision.data':
          return { session, path, sealed, size: 3, mode: 'write' };
        case 'compute.request':
          return { session, program: PROGRAM };
        case 'result.read':
          return { session, path: '/output/x', replyKey: new Uint8Array(65).fill(4) };
        case 'shutdown.request':
          return { session };
        default:
          return {};
      }
    };
    const sessionNamed = (name: string) =>
      name === 'first' ? first.session : name === 'other' ? other.session : name;

    /** Sends one message; checks the reply against the enclave's state before and after. */
    const check = async (
      send: () => Promise<Inbound>,
      expected?: string | readonly string[],
      mayAccept = expected === undefined,
    ) => {
      const before = observe(target.worker);
      const reply = await send();
      const code = refusalOf(reply);
      seen.set(code ?? reply.kind, (seen.get(code ?? reply.kind) ?? 0) + 1);
      if (code === undefined) {
        assert.ok(mayAccept, `accepted ${reply.kind} where ${expected} was due`);
        return;
      }
      assert.ok(isErrorCode(code), code);
      assert.notEqual(code, 'ERR_INTERNAL', JSON.stringify(reply.body));
      if (expected !== undefined)
        assert.ok([expected].flat().includes(code), JSON.stringify(reply.body));
      assert.equal(observe(target.worker), before, `${code} moved the enclave`);
    };

    const run = async (op: OperationOf) => {
      switch (op.type) {
        case 'foreign': {
          const session = op.ownSession ? target.session : other.session;
          const body = await validBody(op.kind, session, other);
          return check(
            () => senders.owner.send(other.computation, op.kind, body, target.computation),
            'ERR_WRONG_COMPUTATION',
          );
        }
        case 'stale': {
          const session = sessionNamed(op.session);
          if (session === target.session) return;
          const body = await validBody(op.kind, session, target);
          return check(
            () => senders.owner.send(target.computation, op.kind, body),
            'ERR_WRONG_SESSION',
          );
        }
        case 'replay': {
          const record = recorded[op.index % recorded.length]!;
          // Refused for its session, or (when the sender has since moved on) as too old a seq; a
          // message of the first run's session channel names a channel this run never held.
          return check(
            () => senders.owner.raw(target.computation, record.data),
            ['ERR_WRONG_SESSION', 'ERR_REPLAY', 'ERR_CHANNEL_UNKNOWN'],
          );
        }
        case 'mutated': {
          // The owner's well-bound shutdown would be honest: it goes out as the reader's.
          const who = op.kind === 'shutdown.request' ? 'reader' : op.who;
          const body = mutate(await validBody(op.kind, target.session, target), op.mutation);
          let bytes: Uint8Array;
          try {
            bytes = await senders[who].sign(target.computation, op.kind, body);
          } catch {
            return; // a body our own encoder will not write never reaches the enclave
          }
          return check(() => senders[who].raw(target.computation, bytes));
        }
        case 'chunks': {
          const upload = `f${++uploads}`;
          const count = op.count;
          const send = async (index: number) => {
            const chunk = { upload, index, count };
            const sealed = await sealTo(hpke, new Uint8Array([index]), {
              computation: target.computation,
              session: target.session,
              path: op.path,
              purpose: 'upload',
              chunk,
            });
            return senders[op.who].send(target.computation, 'provision.data', {
              session: target.session,
              path: op.path,
              size: count,
              mode: op.mode,
              chunk,
              sealed,
            });
          };
          for (const index of op.indices) await check(() => send(index));
          // Past its end: ends the upload if it is still open, so none stays open across runs.
          return check(() => send(count + 1), undefined, false);
        }
        default:
          return assert.fail('unknown operation');
      }
    };

    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 4 }), async (ops) => {
        for (const op of ops) await run(op);
      }),
      { seed: SEED, numRuns: RUNS },
    );

    // Every class was exercised, and some requests were honest enough to be accepted.
    for (const kind of [
      'ERR_WRONG_COMPUTATION',
      'ERR_WRONG_SESSION',
      'ERR_BAD_MESSAGE',
      'ERR_ACCESS_DENIED',
      'ERR_FILE_HASH_MISMATCH',
      'provision.ack',
    ])
      assert.ok(seen.has(kind), `${kind} never came back: ${JSON.stringify([...seen])}`);
    console.log(`inbound fuzz replies: ${JSON.stringify(Object.fromEntries(seen))}`);
    // Nothing crashed and nothing ended it: it still serves honest requests.
    assert.equal(JSON.stringify(target.worker.actor.snapshot().value), '{"serving":"idle"}');
    const end = await runParty(
      { bus: system.bus, policy },
      { identity: owner!, steps: [{ op: 'shutdown' }] },
    );
    assert.equal(end.state, 'done', JSON.stringify(end.failure));
    assert.equal((await target.worker.finished).state, '"shutDown"');
  } finally {
    await system.stop();
  }
});

type OperationOf = typeof operation extends fc.Arbitrary<infer T> ? T : never;
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function isPlainObject(value: Plain): value is { [key: string]: Plain } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

function mutate(body: Plain, m: Mutation): Plain {
  if (m.op === 'none' || !isPlainObject(body)) return body;
  const keys = Object.keys(body);
  const copy: { [key: string]: Plain } = { ...body };
  switch (m.op) {
    case 'drop':
      if (keys.length > 0) delete copy[keys[m.key % keys.length]!];
      return copy;
    case 'add':
      Object.defineProperty(copy, m.key, { value: m.value, enumerable: true, writable: true });
      return copy;
    case 'set':
      if (keys.length === 0) return m.value;
      copy[keys[m.key % keys.length]!] = m.value;
      return copy;
    default:
      return body;
  }
}

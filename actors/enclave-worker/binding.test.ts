// Every request to the enclave is bound to its computation and to the enclave's session, and every
// upload is checked and bounded from its first chunk: each refusal below asserts its code AND that
// the enclave's machine (state, context, trace) did not move, then that an honest request is still
// answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
import { decodePlain, StreamSealer } from '../../transport/index.js';

/** Sends `send` and asserts it is refused with `code` and that the enclave did not move. */
async function refusedWithoutEffect(
  target: Target,
  code: string,
  send: () => Promise<Inbound>,
): Promise<void> {
  const before = observe(target.worker);
  const records = target.worker.actor.records.length;
  const reply = await send();
  assert.equal(refusalOf(reply), code, JSON.stringify(reply.body));
  assert.equal(observe(target.worker), before);
  assert.equal(target.worker.actor.records.length, records, 'the machine heard of it');
}

test('a request signed for another computation is refused there, and changes nothing', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, reader] = await identities(2);
    const p1 = await launchTarget(system, ownerReaderPolicy(system, owner!, reader!));
    const p2 = await launchTarget(system, ownerReaderPolicy(system, owner!, reader!, { tag: '2' }));
    assert.notEqual(p1.computation, p2.computation);
    const sender = new RawSender(system, owner!);
    // A shutdown meant for P2 (its computation, its session) delivered to P1.
    await refusedWithoutEffect(p1, 'ERR_WRONG_COMPUTATION', () =>
      sender.send(p2.computation, 'shutdown.request', { session: p2.session }, p1.computation),
    );
    // Even naming P1's session, the signature says P2.
    await refusedWithoutEffect(p1, 'ERR_WRONG_COMPUTATION', () =>
      sender.send(
        p2.computation,
        'compute.request',
        { session: p1.session, program: PROGRAM },
        p1.computation,
      ),
    );
    // P1's computation with P2's session: a message of another enclave run.
    await refusedWithoutEffect(p1, 'ERR_WRONG_SESSION', () =>
      sender.send(p1.computation, 'shutdown.request', { session: p2.session }),
    );
    assert.equal(JSON.stringify(p1.worker.actor.snapshot().value), '{"serving":"idle"}');
    // Both still answer honest requests: the real shutdowns end each one.
    for (const p of [p1, p2]) {
      const ack = await sender.send(p.computation, 'shutdown.request', { session: p.session });
      assert.equal(ack.kind, 'shutdown.ack', JSON.stringify(ack.body));
      assert.equal((await p.worker.finished).state, '"shutDown"');
    }
  } finally {
    await system.stop();
  }
});

test('requests recorded in one session are refused when replayed into the next', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, reader] = await identities(2);
    const policy = ownerReaderPolicy(system, owner!, reader!);
    const { first, recorded } = await recordSession(system, policy, owner!, [
      { op: 'data', path: '/input/d', source: 'd', mode: 'write' },
      { op: 'shutdown' },
    ]);
    assert.deepEqual(
      recorded.map((r) => r.header!.kind),
      ['session.open', 'provision.data', 'session.close', 'shutdown.request'],
    );

    const second = await launchTarget(system, policy);
    assert.equal(second.computation, first.computation);
    assert.notEqual(second.session, first.session);
    const sender = new RawSender(system, owner!);
    for (const record of recorded) {
      // Signed requests name the first session; the channel's MAC'd ones name a channel that only
      // the first enclave run held (its keys went with it).
      const onChannel = (decodePlain(record.data) as { v: number }).v === 2;
      await refusedWithoutEffect(
        second,
        onChannel ? 'ERR_CHANNEL_UNKNOWN' : 'ERR_WRONG_SESSION',
        () => sender.raw(second.computation, record.data),
      );
    }
    assert.deepEqual(second.worker.actor.snapshot().context.files, []);
    const honest = await runParty(
      { bus: system.bus, policy },
      { identity: owner!, steps: [{ op: 'shutdown' }] },
    );
    assert.equal(honest.state, 'done', JSON.stringify(honest.failure));
    assert.equal((await second.worker.finished).state, '"shutDown"');
  } finally {
    await system.stop();
  }
});

test('uploads that can never be accepted are refused at their first chunk; each sender is bounded', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, reader] = await identities(2);
    const p = await launchTarget(system, ownerReaderPolicy(system, owner!, reader!));
    const hpke = p.launched.enclave!.hpkePublicKey;
    const chunkOf = async (
      who: RawSender,
      path: string,
      size: number,
      chunk: { upload: string; index: number; count: number },
      plain: Uint8Array = new Uint8Array([chunk.index]),
      mode = 'write',
    ) =>
      who.send(p.computation, 'provision.data', {
        session: p.session,
        path,
        size,
        mode,
        chunk,
        sealed: (await sealerOf(path, chunk)).seal(plain, chunk.index, chunk.count),
      });
    // One stream (one HPKE context) per upload, as a participant seals it.
    const sealers = new Map<string, Promise<StreamSealer>>();
    const sealerOf = (path: string, chunk: { upload: string }) => {
      const key = `${path}|${chunk.upload}`;
      if (!sealers.has(key))
        sealers.set(
          key,
          StreamSealer.to(hpke, {
            computation: p.computation,
            session: p.session,
            path,
            purpose: 'upload',
            chunk: { ...chunk, index: 0, count: 1 },
          }),
        );
      return sealers.get(key)!;
    };
    const ownerSends = new RawSender(system, owner!);
    const readerSends = new RawSender(system, reader!);
    const TiB = 2 ** 40;
    const tib = { upload: 'big', index: 0, count: TiB / 2 ** 19 };

    // No write right anywhere: the declared 1 TiB is refused at its first chunk, and so is every
    // later one (nothing of it was kept).
    await refusedWithoutEffect(p, 'ERR_ACCESS_DENIED', () =>
      chunkOf(readerSends, '/input/big', TiB, tib),
    );
    await refusedWithoutEffect(p, 'ERR_ACCESS_DENIED', () =>
      chunkOf(readerSends, '/input/big', TiB, { ...tib, index: 1 }),
    );
    // A write right, but more than the enclave buffers for one sender.
    await refusedWithoutEffect(p, 'ERR_UPLOAD_LIMIT', () =>
      chunkOf(ownerSends, '/input/big', TiB, tib),
    );
    // Appending to a path pinned by file_hashes: refused whatever the bytes, chunked or whole.
    await refusedWithoutEffect(p, 'ERR_FILE_HASH_MISMATCH', () =>
      chunkOf(ownerSends, PROGRAM, 4, { upload: 'pin', index: 0, count: 2 }, undefined, 'append'),
    );
    await refusedWithoutEffect(p, 'ERR_FILE_HASH_MISMATCH', () =>
      chunkOf(ownerSends, PROGRAM, 1, { upload: 'pin1', index: 0, count: 1 }, undefined, 'append'),
    );
    // A chunk carrying more than the upload declared.
    await refusedWithoutEffect(p, 'ERR_BAD_MESSAGE', () =>
      chunkOf(ownerSends, '/input/x', 1, { upload: 'over', index: 0, count: 2 }, new Uint8Array(5)),
    );

    // Uploads open at once: four are acknowledged, the fifth refused until one completes.
    for (let i = 0; i < 4; i++) {
      const ack = await chunkOf(ownerSends, `/input/u${i}`, 2, {
        upload: `u${i}`,
        index: 0,
        count: 2,
      });
      assert.equal(ack.kind, 'provision.ack', JSON.stringify(ack.body));
    }
    await refusedWithoutEffect(p, 'ERR_UPLOAD_LIMIT', () =>
      chunkOf(ownerSends, '/input/u4', 2, { upload: 'u4', index: 0, count: 2 }),
    );
    const done = await chunkOf(ownerSends, '/input/u0', 2, { upload: 'u0', index: 1, count: 2 });
    assert.deepEqual(done.body, { path: '/input/u0', received: 2, complete: true });
    assert.deepEqual(p.worker.actor.snapshot().context.files, ['/input/u0']);
    const fifth = await chunkOf(ownerSends, '/input/u4', 2, { upload: 'u4', index: 0, count: 2 });
    assert.equal(fifth.kind, 'provision.ack', JSON.stringify(fifth.body));
    // Bytes buffered: the declared sizes of a sender's open uploads count against its budget.
    for (const i of [1, 2, 3, 4]) {
      const ack = await chunkOf(ownerSends, `/input/u${i}`, 2, {
        upload: `u${i}`,
        index: 1,
        count: 2,
      });
      assert.equal(ack.kind, 'provision.ack', JSON.stringify(ack.body));
    }
    const MiB = 2 ** 20;
    const big = await chunkOf(ownerSends, '/input/m200', 200 * MiB, {
      upload: 'm200',
      index: 0,
      count: 400,
    });
    assert.equal(big.kind, 'provision.ack', JSON.stringify(big.body));
    await refusedWithoutEffect(p, 'ERR_UPLOAD_LIMIT', () =>
      chunkOf(ownerSends, '/input/m100', 100 * MiB, { upload: 'm100', index: 0, count: 200 }),
    );
    const ack = await ownerSends.send(p.computation, 'shutdown.request', { session: p.session });
    assert.equal(ack.kind, 'shutdown.ack', JSON.stringify(ack.body));
  } finally {
    await system.stop();
  }
});

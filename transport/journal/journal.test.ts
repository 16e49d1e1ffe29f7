import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVcError, type ComputeDoneBody, subjectsFor } from '../../protocol/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { startNatsServer } from '../nats-server.js';
import { MemoryTransport } from '../memory-transport.js';
import { NatsTransport } from '../nats-transport.js';
import { protocolKinds } from '../kinds.js';
import { signEnvelope } from '../envelope.js';
import { generateSigningKeyPair } from '../signing-keys.js';
import { serveEnvelopes } from '../serve.js';
import type { Transport } from '../transport.js';
import { FileJournal, FileJournalReader, journalMagic } from './file-journal.js';
import { ensureJournalStream, JetStreamJournalReader } from './jetstream-journal.js';
import type { JournalReader, JournalRecord } from './record.js';

/** The default namespace's subjects. */
const S = subjectsFor();

const dir = mkdtempSync(join(tmpdir(), 'vc-journal-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const kinds = protocolKinds();
const target = '/program/p.wasm';
const keysPromise = generateSigningKeyPair();

/** Two computations exchange signed requests; a trace for one of them; a non-vc subject. */
async function exchange(bus: Transport): Promise<void> {
  const keys = await keysPromise;
  for (const computation of ['alpha', 'beta']) {
    serveEnvelopes({
      transport: bus,
      subject: S.enclave(computation),
      open: { keys: () => keys.publicKey, kinds },
      handle: async (env) =>
        signEnvelope(
          { kind: 'compute.done', computation, from: 'enclave', seq: env.seq, ts: 0 },
          { target, exitCode: (env.body as ComputeDoneBody).exitCode + 1 },
          keys.privateKey,
        ),
    });
  }
  await bus.flush();
  for (let seq = 1; seq <= 2; seq++) {
    for (const computation of ['alpha', 'beta']) {
      const env = await signEnvelope(
        { kind: 'compute.done', computation, from: 'p1', seq, ts: 0 },
        { target, exitCode: seq * 10 },
        keys.privateKey,
      );
      await bus.request(S.enclave(computation), env, { timeoutMs: 2000 });
    }
  }
  bus.publish(S.trace('alpha', 'enclave'), new TextEncoder().encode('{"state":"ready"}'));
  bus.publish('other.subject', new Uint8Array(1));
  await bus.flush();
}

async function collect(reader: JournalReader, computation?: string): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  for await (const r of reader.records(computation === undefined ? {} : { computation }))
    out.push(r);
  return out;
}

/** What must be identical between the two journals: order, kinds, senders, seqs, bodies. */
const summary = (records: JournalRecord[]): string[] =>
  records.map((r) =>
    r.header
      ? `${r.header.computation} ${r.header.from} ${r.header.kind} #${r.header.seq}`
      : `raw ${r.subject}`,
  );

test('file journal: records every vc.> message in order with a hash chain, and filters one computation', async () => {
  const path = join(dir, 'run.journal');
  let clock = 1_790_000_000_000;
  const journal = FileJournal.open(path, { now: () => clock++ });
  const bus = new MemoryTransport({ tap: journal.tap() });
  await exchange(bus);
  await bus.close();
  assert.equal(journal.length, 9); // 4 requests, 4 replies, 1 trace; other.subject is not recorded
  journal.close();
  const all = await collect(new FileJournalReader(path));
  assert.deepEqual(
    all.map((r) => r.seq),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.equal(all[0]?.time, 1_790_000_000_000);
  const alpha = await collect(new FileJournalReader(path), 'alpha');
  assert.deepEqual(summary(alpha), [
    'alpha p1 compute.done #1',
    'alpha enclave compute.done #1',
    'alpha p1 compute.done #2',
    'alpha enclave compute.done #2',
    'raw vc.c.alpha.trace.enclave',
  ]);
  // reopening continues the chain
  const again = FileJournal.open(path, { now: () => clock++ });
  again.append('vc.c.alpha.trace.enclave', new Uint8Array(2));
  again.close();
  assert.equal((await collect(new FileJournalReader(path))).length, 10);
});

test('file journal: a flipped bit, a removed, swapped or truncated record is ERR_JOURNAL_CORRUPT', async () => {
  const path = join(dir, 'tamper.journal');
  const journal = FileJournal.open(path, { now: () => 5 });
  for (let i = 0; i < 3; i++) journal.append(`vc.c.x.r${i}`, new Uint8Array(10).fill(i));
  journal.close();
  const good = readFileSync(path);
  const frame = (good.length - journalMagic.length) / 3;
  const records = [0, 1, 2].map((i) =>
    good.subarray(journalMagic.length + i * frame, journalMagic.length + (i + 1) * frame),
  );
  const variants: Record<string, Buffer> = {
    'flipped data bit': Buffer.from(
      good.map((b, i) => (i === journalMagic.length + 30 ? b ^ 1 : b)),
    ),
    'flipped hash bit': Buffer.from(good.map((b, i) => (i === good.length - 1 ? b ^ 1 : b))),
    removed: Buffer.concat([
      good.subarray(0, journalMagic.length),
      records[0] as Buffer,
      records[2] as Buffer,
    ]),
    swapped: Buffer.concat([
      good.subarray(0, journalMagic.length),
      records[1] as Buffer,
      records[0] as Buffer,
      records[2] as Buffer,
    ]),
    truncated: good.subarray(0, good.length - 5),
    'bad magic': Buffer.concat([Buffer.from('XXXXXXXX'), good.subarray(8)]),
  };
  for (const [name, bytes] of Object.entries(variants)) {
    const bad = join(dir, `bad-${name.replace(/ /g, '-')}.journal`);
    writeFileSync(bad, bytes);
    await assert.rejects(
      collect(new FileJournalReader(bad)),
      (e: unknown) => isVcError(e, 'ERR_JOURNAL_CORRUPT'),
      name,
    );
    assert.throws(
      () => FileJournal.open(bad),
      (e: unknown) => isVcError(e, 'ERR_JOURNAL_CORRUPT'),
      name,
    );
  }
});

test('JetStream journal: created idempotently, records requests and replies, same records as the file journal', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const server = await startNatsServer();
  const bus = await NatsTransport.connect({ servers: server.url });
  try {
    const names = await Promise.all([
      ensureJournalStream(bus.connection),
      ensureJournalStream(bus.connection),
    ]);
    assert.deepEqual(names, ['VC_JOURNAL', 'VC_JOURNAL']);
    assert.equal(await ensureJournalStream(bus.connection), 'VC_JOURNAL');
    await exchange(bus); // request/reply still works: the stream does not answer with PubAcks
    const reader = new JetStreamJournalReader(bus.connection);
    const all = await collect(reader);
    assert.equal(all.length, 9);
    const alpha = await collect(reader, 'alpha');
    const path = join(dir, 'compare.journal');
    const journal = FileJournal.open(path);
    const memory = new MemoryTransport({ tap: journal.tap() });
    await exchange(memory);
    await memory.close();
    journal.close();
    assert.deepEqual(summary(alpha), summary(await collect(new FileJournalReader(path), 'alpha')));
    assert.ok(alpha.every((r, i) => i === 0 || r.seq > (alpha[i - 1] as JournalRecord).seq));
  } finally {
    await bus.close();
    await server.stop();
  }
});

// Session channels (docs/protocol.md, "Session channels"; docs/threat-model.md): a request whose MAC
// does not verify, or that names a channel the enclave does not hold for its sender (another
// participant's, a closed one), is refused before anything else and changes nothing; an honest
// request on the channel is answered on it; the enclave's signed receipt matches the participant's
// transcript, and a receipt that does not is refused. From the journal, a channel's messages verify
// through the receipt, and a changed, dropped or added message is detected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { identities } from '../../scenarios/testing/index.js';
import { isVcError } from '../../protocol/index.js';
import { decodePlain, macEnvelope, type JournalRecord } from '../../transport/index.js';
import { expectReply, type Inbound } from '../runtime/endpoint.js';
import { ParticipantChannel } from '../runtime/session-channel.js';
import { readComputation } from '../replay/journal-runs.js';
import { runParty } from '../participant/run-computation.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';
import {
  launchTarget,
  observe,
  ownerReaderPolicy,
  PROGRAM,
  RawSender,
  refusalOf,
  type Target,
} from '../testing/enclave-kit.js';

/** Opens a channel as `sender` would (signed session.open); the reply must come on it. */
async function openChannel(sender: RawSender, p: Target): Promise<ParticipantChannel> {
  const hello = await sender.send(p.computation, 'session.hello', {});
  const channel = await ParticipantChannel.create(p.launched.enclave!.hpkePublicKey, {
    computation: p.computation,
    session: p.session,
    participant: sender.endpoint.id,
    enclave: hello.from,
  });
  const request = await sender.sign(p.computation, 'session.open', {
    session: p.session,
    enc: channel.enc,
  });
  const reply = await sender.raw(p.computation, request, channel.macKeys);
  expectReply(reply, 'session.opened');
  assert.equal(reply.channel, channel.idHex, 'the enclave answers on the new channel');
  channel.received(reply.seq, reply.bytes);
  return channel;
}

/** Sends `body` on `channel`, its MAC made with `key` (the channel's own by default). */
async function onChannel(
  sender: RawSender,
  p: Target,
  channel: ParticipantChannel,
  kind: 'compute.request' | 'session.close',
  body: Record<string, unknown>,
  options: { key?: Uint8Array; record?: boolean } = {},
): Promise<Inbound> {
  const { seq, bytes } = sender.mac(p.computation, kind, body, {
    id: channel.id,
    key: options.key ?? channel.sendKey,
  });
  if (options.record !== false) channel.sent(seq, bytes);
  const reply = await sender.raw(p.computation, bytes, channel.macKeys);
  if (reply.channel === channel.idHex) channel.received(reply.seq, reply.bytes);
  return reply;
}

async function refusedUnmoved(
  p: Target,
  code: string,
  send: () => Promise<Inbound>,
): Promise<void> {
  const before = observe(p.worker);
  const records = p.worker.actor.records.length;
  const reply = await send();
  assert.equal(refusalOf(reply), code, JSON.stringify(reply.body));
  assert.equal(reply.channel, undefined, 'a refusal before opening is signed');
  assert.equal(observe(p.worker), before);
  assert.equal(p.worker.actor.records.length, records, 'the machine heard of it');
}

test('session channel: a forged MAC, another sender, a closed channel are refused and change nothing; the receipt matches', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, reader] = await identities(2);
    const p = await launchTarget(system, ownerReaderPolicy(system, owner!, reader!));
    const sender = new RawSender(system, owner!);
    const channel = await openChannel(sender, p);
    const compute = { session: p.session, program: PROGRAM };

    // A MAC made under another key (the sender does not hold the channel's).
    await refusedUnmoved(p, 'ERR_MAC_INVALID', () =>
      onChannel(sender, p, channel, 'compute.request', compute, {
        key: randomBytes(32),
        record: false,
      }),
    );
    // An honest envelope with one bit of its MAC flipped.
    const honest = sender.mac(p.computation, 'compute.request', compute, {
      id: channel.id,
      key: channel.sendKey,
    }).bytes;
    honest[honest.length - 1]! ^= 1;
    await refusedUnmoved(p, 'ERR_MAC_INVALID', () => sender.raw(p.computation, honest));
    // Another participant of the policy naming the owner's channel (even with its key).
    const other = new RawSender(system, reader!);
    await refusedUnmoved(p, 'ERR_CHANNEL_UNKNOWN', async () => {
      const forged = other.mac(p.computation, 'compute.request', compute, {
        id: channel.id,
        key: channel.sendKey,
      }).bytes;
      return other.raw(p.computation, forged);
    });
    // An encapsulation that is no P-256 point opens no channel; a session.open sent on a channel
    // is refused too (on the channel: its refusal is in the transcript).
    const badOpen = await sender.send(p.computation, 'session.open', {
      session: p.session,
      enc: new Uint8Array(65),
    });
    assert.equal(refusalOf(badOpen), 'ERR_SEAL_OPEN_FAILED');
    const reopened = await onChannel(sender, p, channel, 'session.open' as 'compute.request', {
      session: p.session,
      enc: new Uint8Array(randomBytes(65)),
    });
    assert.equal(refusalOf(reopened), 'ERR_BAD_MESSAGE');
    // A close must come on the channel it ends.
    const signedClose = await sender.send(p.computation, 'session.close', { session: p.session });
    assert.equal(refusalOf(signedClose), 'ERR_BAD_MESSAGE');

    // An honest request on the channel: the machine's answer (no such program yet) comes on it.
    const answered = await onChannel(sender, p, channel, 'compute.request', compute);
    assert.equal(answered.channel, channel.idHex, JSON.stringify(answered.body));
    assert.equal(answered.kind, 'protocol.error');

    const closed = await onChannel(sender, p, channel, 'session.close', { session: p.session });
    const receipt = expectReply(closed, 'session.receipt');
    assert.equal(closed.channel, undefined, 'the receipt is signed');
    assert.deepEqual(
      [receipt.requests, receipt.replies],
      [3, 3],
      'the refused session.open on the channel, compute and close; opened and the two replies',
    );
    channel.checkReceipt(receipt);
    // A receipt whose transcript hash, counts or channel differ is refused.
    for (const wrong of [
      { ...receipt, transcript: 'f'.repeat(64) },
      { ...receipt, requests: receipt.requests - 1 },
      { ...receipt, replies: receipt.replies + 1 },
      { ...receipt, channel: new Uint8Array(16) },
    ]) {
      assert.throws(
        () => channel.checkReceipt(wrong),
        (e: unknown) => isVcError(e, 'ERR_SESSION_RECEIPT_MISMATCH'),
      );
    }
    // Closed: its key opens nothing any more.
    await refusedUnmoved(p, 'ERR_CHANNEL_UNKNOWN', () =>
      onChannel(sender, p, channel, 'compute.request', compute, { record: false }),
    );
  } finally {
    await system.stop();
  }
});

const isChannelRecord = (r: JournalRecord): boolean =>
  (decodePlain(r.data) as { v?: unknown }).v === 2;

test('session channel in the journal: verified through the receipt; a changed, dropped or added message is detected', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, reader] = await identities(2);
    const policy = ownerReaderPolicy(system, owner!, reader!, { ownerAloneShutsDown: true });
    const { computation } = await launchTarget(system, policy);
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: owner!,
        sources: { d: new TextEncoder().encode('one') },
        steps: [
          { op: 'data', path: '/input/d', source: 'd', mode: 'write' },
          { op: 'data', path: '/input/e', source: 'd', mode: 'write' },
          { op: 'shutdown' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    const records = await system.journal(computation);
    const onChannelRecords = records.filter(isChannelRecord);
    // Two uploads and the close; the opened answer and two acks.
    assert.equal(onChannelRecords.length, 6);
    const journal = await readComputation(records, computation);
    assert.equal(journal.unverified, 0, 'every message verifies, the MAC-ed ones by the receipt');
    const receiptOf = (j: typeof journal) => j.messages.find((m) => m.kind === 'session.receipt')!;
    assert.equal(receiptOf(journal).code, undefined);

    const upload = records.findIndex(
      (r) => isChannelRecord(r) && r.header?.kind === 'provision.data',
    );
    const original = records[upload]!;
    const h = original.header!;
    const body = decodePlain((decodePlain(original.data) as { body: Uint8Array }).body) as Record<
      string,
      unknown
    >;
    // Same header, another path, MAC-ed under a key the forger made up: shaped like the real one.
    const changed = macEnvelope(
      h,
      { ...body, path: '/input/x' },
      Buffer.from(
        (decodePlain(original.data) as { sig: Uint8Array }).sig.subarray(0, 16),
      ) as Uint8Array,
      randomBytes(32),
    );
    const tampered: [string, JournalRecord[]][] = [
      ['changed', records.map((r, i) => (i === upload ? { ...r, data: changed } : r))],
      ['dropped', records.filter((_, i) => i !== upload)],
      [
        'added',
        [
          ...records.slice(0, upload + 1),
          { ...original, data: changed },
          ...records.slice(upload + 1),
        ],
      ],
    ];
    for (const [what, copy] of tampered) {
      const read = await readComputation(copy, computation);
      assert.equal(receiptOf(read).code, 'ERR_SESSION_RECEIPT_MISMATCH', what);
      assert.ok(read.unverified >= 4, `${what}: the channel's messages stay unverified`);
    }
  } finally {
    await system.stop();
  }
});

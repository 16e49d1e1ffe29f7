// The voter's receipt check (receipt.ts) on the reference's receipts: every counted ballot's receipt
// proves it under the tally's root, trees of every size from 1 to 40 leaves, and each forgery is
// refused (another ballot, a changed or shortened or lengthened path, another root, a refused
// ballot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from './generate.js';
import { reference } from './reference.js';
import { receiptProblem, type ElectionReceipt } from './receipt.js';
import { fromUtf8 } from '../support/types.js';

interface Counted {
  readonly ballot: { nonce: Uint8Array; candidate: string };
  readonly receipt: ElectionReceipt;
}

function election(seed: number, size: number) {
  const run = generate(seed, size);
  const out = reference(run);
  const tally = JSON.parse(fromUtf8(out.get('/output/tally.json')!)) as {
    root: string;
    counted: number;
  };
  const counted: Counted[] = [];
  const refused: ElectionReceipt[] = [];
  for (const [path, bytes] of run.files) {
    if (!path.startsWith('/input/ballots/')) continue;
    const voter = path.slice('/input/ballots/'.length);
    const receipt = JSON.parse(
      fromUtf8(out.get(`/output/receipt-${voter}.json`)!),
    ) as ElectionReceipt;
    const [hex = '', candidate = ''] = fromUtf8(bytes).split('\n')[0]!.split(' ');
    const ballot = { nonce: Buffer.from(hex, 'hex'), candidate };
    if (receipt.status === 'counted') counted.push({ ballot, receipt });
    else refused.push(receipt);
  }
  return { tally, counted, refused };
}

test('every counted ballot has a receipt that proves it under the root, at every tree size', () => {
  for (let size = 1; size <= 40; size++) {
    const { tally, counted } = election(size, size);
    assert.equal(counted.length, tally.counted);
    for (const { ballot, receipt } of counted)
      assert.equal(receiptProblem(ballot, receipt, tally.root), undefined, `size ${size}`);
  }
});

test('forged receipts and other ballots are refused', () => {
  const { tally, counted, refused } = election(7, 60);
  const [{ ballot, receipt }, other] = [counted[0]!, counted[1]!];
  assert.match(
    receiptProblem(other.ballot, receipt, tally.root) ?? '',
    /commits to another ballot/,
  );
  assert.match(
    receiptProblem(
      { ...ballot, candidate: ballot.candidate === 'ada' ? 'hedy' : 'ada' },
      receipt,
      tally.root,
    ) ?? '',
    /another ballot/,
  );
  assert.match(receiptProblem(ballot, receipt, 'ab'.repeat(32)) ?? '', /another root/);
  const flipped = receipt.proof![0]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  assert.match(
    receiptProblem(
      ballot,
      { ...receipt, proof: [flipped, ...receipt.proof!.slice(1)] },
      tally.root,
    ) ?? '',
    /does not reach the root/,
  );
  assert.match(
    receiptProblem(ballot, { ...receipt, proof: receipt.proof!.slice(1) }, tally.root) ?? '',
    /too short|does not reach/,
  );
  assert.match(
    receiptProblem(
      ballot,
      { ...receipt, proof: [...receipt.proof!, '00'.repeat(32)] },
      tally.root,
    ) ?? '',
    /longer than the tree/,
  );
  assert.match(
    receiptProblem(
      ballot,
      { ...receipt, index: (receipt.index! + 1) % receipt.leaves! },
      tally.root,
    ) ?? '',
    /does not reach|too short|longer/,
  );
  assert.match(
    receiptProblem(ballot, { ...receipt, index: receipt.leaves! }, tally.root) ?? '',
    /no well-formed path/,
  );
  const reasons = new Set(refused.map((r) => r.reason));
  assert.ok(reasons.has('ineligible') && reasons.has('invalid'), [...reasons].join());
  for (const r of refused) assert.match(receiptProblem(ballot, r, tally.root) ?? '', /refused/);
});

test('the tally counts one ballot per listed voter and says how many were refused and why', () => {
  const run = generate(3, 100);
  const tally = JSON.parse(fromUtf8(reference(run).get('/output/tally.json')!)) as {
    counted: number;
    refused: { duplicate: number; ineligible: number; invalid: number };
    votes: Record<string, number>;
  };
  const ballots = [...run.files.keys()].filter((p) => p.startsWith('/input/ballots/'));
  const outsiders = ballots.filter((p) => p.includes('outsider-')).length;
  assert.equal(tally.refused.ineligible, outsiders);
  assert.equal(tally.counted + tally.refused.ineligible + tally.refused.invalid, ballots.length);
  assert.equal(
    Object.values(tally.votes).reduce((a, b) => a + b, 0),
    tally.counted,
  );
  assert.ok(tally.refused.duplicate > 0 && tally.refused.invalid > 0);
});

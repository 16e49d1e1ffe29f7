// The JavaScript component (ComponentizeJS) against its independent TypeScript reference, on seeded
// inputs and on refused inputs, running in the enclave's component runner.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  RIGHTS_READ,
  RIGHTS_WRITE,
  RIGHTS_ALL,
  type RightsTable,
} from '../../../protocol/index.js';
import { runComponent, shutdownWorkers, Vfs } from '../../../enclave/index.js';
import { generateBids } from './generate.js';
import { referenceOutput } from './reference.js';

const program = readFileSync(new URL('./sealed-bid-auction.wasm', import.meta.url));
const rights: RightsTable = [
  { path: '/input/', rights: RIGHTS_READ },
  { path: '/output/', rights: RIGHTS_WRITE },
  { path: 'stderr', rights: RIGHTS_ALL },
];

after(() => shutdownWorkers());

async function runAuction(
  csv: string,
): Promise<{ exitCode: number; output: Uint8Array | undefined }> {
  const vfs = new Vfs();
  vfs.writeUnchecked('/input/bids.csv', new TextEncoder().encode(csv));
  vfs.mkdir('/output');
  const result = await runComponent({ program, vfs, rights, limits: { maxMemoryMib: 128 } });
  const output = vfs.exists('/output/result.json')
    ? vfs.readUnchecked('/output/result.json')
    : undefined;
  return { exitCode: result.exitCode, output };
}

test('the JS component decides every seeded auction as the reference does', async () => {
  const cases = [
    generateBids(1, 1),
    generateBids(2, 7),
    generateBids(3, 250),
    'bidder,amount\nalice,100\nbob,250\ncarol,250\ndave,80\n',
  ];
  for (const csv of cases) {
    const expected = referenceOutput(csv);
    assert.ok(expected, 'the reference accepts the seeded input');
    const { exitCode, output } = await runAuction(csv);
    assert.equal(exitCode, 0);
    assert.equal(new TextDecoder().decode(output), new TextDecoder().decode(expected));
  }
});

test('input the reference refuses makes the component fail without output', async () => {
  for (const csv of ['', 'bidder,amount\n', 'alice,100\nbob,lots\n', 'alice,-5\n']) {
    assert.equal(referenceOutput(csv), undefined);
    const { exitCode, output } = await runAuction(csv);
    assert.equal(exitCode, 1, JSON.stringify(csv));
    assert.equal(output, undefined);
  }
});

test('the JS component gets nothing its rights do not allow', async () => {
  const stderr = { path: 'stderr', rights: RIGHTS_ALL };
  const csv = new TextEncoder().encode('alice,1\nbob,2\n');
  const cases: Array<[string, RightsTable]> = [
    [
      'no read right on /input',
      [
        { path: '/input/', rights: RIGHTS_WRITE },
        { path: '/output/', rights: RIGHTS_WRITE },
        stderr,
      ],
    ],
    [
      'no write right on /output',
      [{ path: '/input/', rights: RIGHTS_READ }, { path: '/output/', rights: RIGHTS_READ }, stderr],
    ],
  ];
  for (const [what, table] of cases) {
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/bids.csv', csv);
    vfs.mkdir('/output');
    const result = await runComponent({
      program,
      vfs,
      rights: table,
      limits: { maxMemoryMib: 128 },
    });
    assert.equal(result.exitCode, 1, what);
    assert.match(new TextDecoder().decode(result.stderr), /^sealed-bid-auction: access\n/, what);
    assert.equal(vfs.exists('/output/result.json'), false, what);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type RightsTable,
  RIGHTS_ALL,
  RIGHTS_EXECUTE,
  parsePipeline as parsePipelineText,
} from '../../protocol/index.js';
import { bytes, guestBytes } from '../guests/guests.js';
import { Vfs } from '../vfs/vfs.js';
import { runPipeline, runProgramFile } from './run-pipeline.js';
import { runProgram } from './run-program.js';

const caller: RightsTable = [{ path: '/program/', rights: RIGHTS_EXECUTE }];
const execution: RightsTable = [
  { path: '/input/', rights: RIGHTS_ALL },
  { path: '/output/', rights: RIGHTS_ALL },
  { path: 'stdout', rights: RIGHTS_ALL },
];

function setup(): Vfs {
  const vfs = new Vfs();
  vfs.writeUnchecked('/program/copy.wasm', guestBytes('copy'));
  vfs.writeUnchecked('/program/bomb.wasm', guestBytes('malloc_bomb'));
  vfs.writeUnchecked('/input/a.txt', bytes('abc'));
  return vfs;
}

const run = (text: string, vfs: Vfs) =>
  runPipeline(parsePipelineText(text), {
    vfs,
    callerRights: caller,
    executionRights: execution,
    limits: { maxMemoryMib: 8 },
  });

test('the pipeline text parses into sequences and conditionals', () => {
  assert.deepEqual(parsePipelineText('/a.wasm ; if /x { /b.wasm } else { /c.wasm ; /d.wasm }'), {
    kind: 'seq',
    steps: [
      { kind: 'program', path: '/a.wasm' },
      {
        kind: 'if',
        condition: '/x',
        then: { kind: 'program', path: '/b.wasm' },
        else: {
          kind: 'seq',
          steps: [
            { kind: 'program', path: '/c.wasm' },
            { kind: 'program', path: '/d.wasm' },
          ],
        },
      },
    ],
  });
  assert.throws(
    () => parsePipelineText('if /x { /a.wasm'),
    (e: { code?: string }) => e.code === 'ERR_POLICY_BAD_PIPELINE',
  );
  assert.throws(
    () => parsePipelineText('/a.wasm /b.wasm'),
    (e: { code?: string }) => e.code === 'ERR_POLICY_BAD_PIPELINE',
  );
});

test('a sequence runs its steps in order over the same file system', async () => {
  const vfs = setup();
  const result = await run('/program/copy.wasm ; /program/copy.wasm', vfs);
  assert.equal(result.exitCode, 0);
  assert.deepEqual(
    result.steps.map((s) => s.path),
    ['/program/copy.wasm', '/program/copy.wasm'],
  );
  assert.equal(new TextDecoder().decode(vfs.readUnchecked('/output/a.txt')), 'cba');
});

test('if PATH takes the then branch when PATH exists and the else branch otherwise', async () => {
  const vfs = setup();
  const missing = await run(
    'if /output/a.txt { /program/bomb.wasm } else { /program/copy.wasm }',
    vfs,
  );
  assert.deepEqual(
    missing.steps.map((s) => s.path),
    ['/program/copy.wasm'],
  );
  const present = await run(
    'if /output/a.txt { /program/bomb.wasm } else { /program/copy.wasm }',
    vfs,
  );
  assert.deepEqual(
    present.steps.map((s) => s.path),
    ['/program/bomb.wasm'],
  );
  const none = await run('if /nowhere { /program/bomb.wasm }', vfs);
  assert.deepEqual(none, { exitCode: 0, steps: [] });
});

test('a non-zero exit ends the sequence and is the pipeline result', async () => {
  const vfs = setup();
  const result = await run('/program/bomb.wasm ; /program/copy.wasm', vfs);
  assert.equal(result.exitCode, 3);
  assert.equal(result.steps.length, 1);
  assert.equal(vfs.exists('/output/a.txt'), false);
});

test('a missing program is ERR_FILE_NOT_FOUND', async () => {
  await assert.rejects(
    run('/program/none.wasm', setup()),
    (e: { code?: string }) => e.code === 'ERR_FILE_NOT_FOUND',
  );
});

test('runProgramFile runs a stored program with its own rights once the caller holds x', async () => {
  const vfs = setup();
  const result = await runProgramFile('/program/copy.wasm', {
    vfs,
    callerRights: caller,
    executionRights: execution,
  });
  assert.equal(result.exitCode, 0);
  assert.equal(new TextDecoder().decode(vfs.readUnchecked('/output/a.txt')), 'cba');
  await assert.rejects(
    runProgramFile('/program/copy.wasm', {
      vfs,
      callerRights: execution,
      executionRights: execution,
    }),
    (e: { code?: string }) => e.code === 'ERR_ACCESS_DENIED',
  );
});

test('concurrent executions over one file system run one after the other', async () => {
  const vfs = setup();
  const program = guestBytes('copy');
  const order: string[] = [];
  const [a, b] = await Promise.all([
    runProgram({ program, vfs, rights: execution, trace: () => order.push('a') }),
    runProgram({ program, vfs, rights: execution, trace: () => order.push('b') }),
  ]);
  assert.equal(a.exitCode, 0);
  assert.equal(b.exitCode, 0);
  const firstB = order.indexOf('b');
  assert.ok(
    firstB > 0 && order.slice(firstB).every((x) => x === 'b'),
    'no interleaving of WASI calls',
  );
});

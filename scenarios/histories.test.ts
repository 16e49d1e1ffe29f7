// Committed histories (scenarios/histories/README.md): every scenario's recorded journal replays
// against today's machines. A change that breaks old journals fails here unless the histories are
// re-recorded on purpose (`npm run record:histories`); a scenario without a history fails too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRuns, replayReport, replayTraces, type RunJournal } from '../actors/index.js';
import { enclaveMachine, MACHINES } from '../machines/index.js';
import { parseJournal } from '../transport/index.js';
import { scenarios } from './catalog.js';

const dir = new URL('./histories/', import.meta.url).pathname;
const ROLES = ['enclave', 'verifier', 'host', 'participant'];

async function history(name: string): Promise<RunJournal> {
  const { records } = parseJournal(readFileSync(join(dir, `${name}.vcj`)));
  const runs = await readRuns(records);
  assert.equal(runs.length, 1, `${name}: the history holds one run of one computation`);
  return runs[0]!;
}

test('every scenario has a committed history, and every history a scenario', () => {
  const recorded = readdirSync(dir)
    .filter((f) => f.endsWith('.vcj'))
    .map((f) => f.slice(0, -'.vcj'.length))
    .sort();
  const names = scenarios.map((s) => s.name).sort();
  const missing = names.filter((n) => !recorded.includes(n));
  assert.deepEqual(missing, [], `no history for ${missing.join(', ')}: npm run record:histories`);
  assert.deepEqual(recorded, names, 'a history without a scenario: npm run record:histories');
});

for (const { name } of scenarios) {
  test(`the ${name} history replays against today's machines`, async () => {
    const journal = await history(name);
    assert.equal(journal.unverified, 0, 'every journaled envelope verifies');
    const replays = replayTraces(journal.traces);
    const machines = new Set(replays.map((r) => r.machine));
    for (const role of ROLES) assert.ok(machines.has(role), `the ${role} was recorded`);
    for (const r of replays)
      assert.equal(r.divergence, undefined, `${r.actor} diverges: ${JSON.stringify(r.divergence)}`);
    const { end } = replayReport(journal, replays);
    assert.equal(end.complete, true, end.summary);
  });
}

test('a deliberately changed machine makes a committed history diverge', async () => {
  const journal = await history('sealed-bid-auction');
  const firstCompute = journal.traces.find(
    (t) => t.machine === 'enclave' && t.event['type'] === 'compute.request',
  );
  assert.ok(firstCompute, 'the history holds a compute.request');
  const refusesCompute = enclaveMachine.provide({ guards: { computeRefused: () => true } });
  const replays = replayTraces(journal.traces, { ...MACHINES, enclave: refusesCompute });
  const enclave = replays.find((r) => r.machine === 'enclave')!;
  assert.equal(enclave.divergence?.index, firstCompute.index);
  assert.equal(enclave.divergence?.event['type'], 'compute.request');
  assert.ok(
    replays.filter((r) => r.machine !== 'enclave').every((r) => r.divergence === undefined),
    'only the changed machine diverges',
  );
});

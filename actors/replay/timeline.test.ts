// The replay view marks what a debugger needs at the event itself: a refusal's code where it was
// sent, and the divergence of a changed machine at the transition that diverged (text and JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { enclaveMachine, MACHINES } from '../../machines/index.js';
import { prepareRun, runScenario, embeddedEnvironment } from '../../scenarios/index.js';
import {
  identities,
  policyFor,
  refusalCases,
  veracruzCases,
  wasmOf,
} from '../../scenarios/testing/index.js';
import { participantSigner } from '../runtime/launch-authority.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';
import { parseJournal, privateTempDir } from '../../transport/index.js';
import { readComputation } from './journal-runs.js';
import { replayTraces } from './replay.js';
import { eventJson, formatTimeline, selectEvents } from './timeline.js';

async function recorded(file: string, scenario: (typeof veracruzCases)[number]) {
  const env = await embeddedEnvironment({ journalFile: file });
  try {
    const report = await runScenario(await prepareRun(scenario, env.trust), env);
    const { records } = parseJournal(await readFile(file));
    return { report, journal: await readComputation(records, report.computation) };
  } finally {
    await env.stop();
  }
}

test('a refusal is marked with its code at the message and transition that carry it', async () => {
  const dir = privateTempDir('vc-timeline-');
  try {
    const refusal = refusalCases.find((c) => c.code === 'ERR_NO_RESULT')!;
    const { journal } = await recorded(join(dir.path, 'refused.vcj'), refusal.scenario);
    const replays = replayTraces(journal.traces);
    const text = formatTimeline(journal, replays);
    assert.match(text, /enclave +>> protocol\.error -> owner \(\d+ B\) {2}!! ERR_NO_RESULT/);
    const coded = journal.events.filter((e) => e.code === 'ERR_NO_RESULT');
    assert.ok(coded.some((e) => e.type === 'message'));
    assert.ok(coded.some((e) => e.type === 'transition' && e.actor === 'owner'));
    assert.equal(eventJson(coded[0]!, journal, replays)['code'], 'ERR_NO_RESULT');
  } finally {
    dir.remove();
  }
});

test('a changed machine: the divergence is marked at the transition it happens at, and filters keep the verdict', async () => {
  const dir = privateTempDir('vc-timeline-');
  try {
    const { report, journal } = await recorded(join(dir.path, 'run.vcj'), veracruzCases[0]!);
    assert.equal(report.ok, true);
    const refusesCompute = enclaveMachine.provide({ guards: { computeRefused: () => true } });
    const replays = replayTraces(journal.traces, { ...MACHINES, enclave: refusesCompute });
    const at = journal.events.find(
      (e) => e.type === 'transition' && e.actor === 'enclave' && e.event === 'compute.request',
    )!;
    const text = formatTimeline(journal, replays);
    const marked = text.split('\n').filter((l) => l.includes('<-- DIVERGES'));
    assert.equal(marked.length, 1);
    assert.match(marked[0]!, new RegExp(`^ {2}#${at.seq} .*enclave +compute\\.request -> `));
    assert.match(text, /DIVERGENCE: enclave at step \d+ \(compute\.request\): state differs/);
    assert.match(eventJson(at, journal, replays)['divergence'] as string, /state differs/);

    const shown = selectEvents(journal, { actors: ['client'] });
    const filtered = formatTimeline(journal, replays, shown);
    assert.doesNotMatch(filtered, /<-- DIVERGES/, 'the diverging event is not shown');
    assert.match(filtered, /DIVERGENCE: enclave at step/, 'the verdict still is');
  } finally {
    dir.remove();
  }
});

test('a computation launched by a participant of its policy: the launch verifies by the policy, so every record does', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner] = await identities(1);
    const policy = policyFor(system, {
      participants: [{ identity: owner!, capabilities: ['/program/:wx', '/output/:r'] }],
      programs: [
        { path: '/program/p.wasm', bytes: wasmOf('random-source'), capabilities: ['/output/:w'] },
      ],
    });
    const launched = await system.launch(policy, { signer: participantSigner(owner!) });
    const journal = await readComputation(await system.journal(), launched.computation);
    assert.equal(journal.policyHash, policy.hash);
    assert.equal(journal.unverified, 0);
    const replays = replayTraces(journal.traces);
    assert.deepEqual([...new Set(replays.map((r) => r.machine))].sort(), [
      'enclave',
      'host',
      'verifier',
    ]);
    assert.ok(replays.every((r) => r.divergence === undefined));
  } finally {
    await system.stop();
  }
});

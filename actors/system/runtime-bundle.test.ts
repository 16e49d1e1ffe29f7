// The enclave runtime bundle runs everything the enclave runs: an enclave worker process started
// from dist/enclave-runtime.mjs executes a core module and a component in its sandbox workers
// (their code embedded in the bundle), the component transpiled by jco loaded from node_modules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Step } from '../../machines/index.js';
import { identities, policyFor } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { natsServerBinary, startNatsServer, type NatsServer } from '../../transport/index.js';
import { runParty } from '../participant/run-computation.js';
import { natsBus } from './system-bus.js';
import { startSystem, type System } from './system.js';

const available = hasBinary(natsServerBinary);
const guest = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../sdk/components/${path}`, import.meta.url)));

let server: NatsServer | undefined;
let system: System | undefined;
before(async () => {
  if (!available) return;
  server = await startNatsServer();
  system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'none' } }),
    workers: 'process',
  });
});
after(async () => {
  await system?.stop();
  await server?.stop();
});

/** What file-digest writes for `data`: its length and FNV-1a 64-bit hash. */
function digestOf(data: Uint8Array): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of data) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return `bytes=${data.length} fnv1a64=${hash.toString(16).padStart(16, '0')}\n`;
}

for (const [kind, file] of [
  ['core module', 'file-digest/file-digest.wasm'],
  ['component', 'file-digest/file-digest.component.wasm'],
] as const) {
  test(`a worker process running the bundle executes a ${kind}`, async (t) => {
    if (!requireResource(t, 'nats-server binary', available)) return;
    const [owner] = await identities(1);
    const program = '/program/file-digest.wasm';
    const wasm = guest(file);
    const data = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    const policy = policyFor(system!, {
      participants: [
        { identity: owner!, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] },
      ],
      programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
    });
    const launched = await system!.launch(policy);
    const steps: Step[] = [
      { op: 'program', path: program, source: 'wasm' },
      { op: 'data', path: '/input/data.bin', source: 'data', mode: 'write' },
      { op: 'compute', program },
      { op: 'result', path: '/output/digest.txt', destination: 'digest' },
      { op: 'shutdown' },
    ];
    const outcome = await runParty(
      { bus: system!.bus, policy, computation: launched.computation },
      { identity: owner!, steps, sources: { wasm, data } },
    );
    assert.equal(outcome.failure, undefined, JSON.stringify(outcome.failure));
    assert.equal(new TextDecoder().decode(outcome.results.get('digest')), digestOf(data));
  });
}

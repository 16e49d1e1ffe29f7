// Workloads shared by the benchmarks and the profiler (bench/profile.ts): small computations run
// back to back by concurrent lanes, each a launch with attestation, program, execution, result and
// shutdown of random-source; and a participant's sealed upload.
import { randomBytes } from 'node:crypto';
import type { GeneratedIdentity } from '../protocol/index.js';
import { runParty, type System } from '../actors/index.js';
import { identities, policyFor, wasmOf } from '../scenarios/testing/index.js';

const randomWasm = wasmOf('random-source');

/** One small computation; its failure code, or undefined when it finished. */
async function smallComputation(
  system: System,
  identity: GeneratedIdentity,
): Promise<string | undefined> {
  const program = '/program/random-source.wasm';
  const policy = policyFor(system, {
    participants: [{ identity, capabilities: ['/program/:wx', '/output/:r'] }],
    programs: [{ path: program, bytes: randomWasm, capabilities: ['/output/:w'] }],
  });
  await system.launch(policy);
  const outcome = await runParty(
    { bus: system.bus, policy },
    {
      identity,
      sources: { wasm: randomWasm },
      steps: [
        { op: 'program', path: program, source: 'wasm' },
        { op: 'compute', program },
        { op: 'result', path: '/output/random.dat', destination: 'out' },
        { op: 'shutdown' },
      ],
    },
  );
  return outcome.ok ? undefined : (outcome.failure?.code ?? 'failed');
}

export interface Rate {
  /** Finished computations per second. */
  readonly rate: number;
  /** Failure codes of the computations that did not finish (they do not count). */
  readonly failures: readonly string[];
}

/** `workers` lanes, each running small computations back to back for `seconds`. */
export async function sustainedRate(
  system: System,
  workers: number,
  seconds: number,
): Promise<Rate> {
  const ids = await identities(Math.ceil(seconds * 80) + 2 * workers, 'bench');
  let next = 0;
  let done = 0;
  const failures: string[] = [];
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline && next < ids.length) {
        const failure = await smallComputation(system, ids[next++]!);
        if (failure === undefined) done++;
        else failures.push(failure);
      }
    }),
  );
  const rate = done / ((performance.now() - start) / 1000);
  console.log(
    `sustained, ${workers} workers: ${rate.toFixed(1)} computations/s, ${failures.length} failed`,
  );
  return { rate, failures };
}

export function randomData(mib: number): Uint8Array {
  const data = new Uint8Array(Math.round(mib * 2 ** 20));
  for (let i = 0; i < data.length; i += 65536)
    data.set(randomBytes(Math.min(65536, data.length - i)), i);
  return data;
}

/** MiB/s of a sealed upload of `mib` MiB by a participant, to acknowledgement of its last chunk. */
export async function upload(
  system: System,
  identity: GeneratedIdentity,
  mib: number,
): Promise<number> {
  const policy = policyFor(system, {
    participants: [{ identity, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] }],
    programs: [
      { path: '/program/random-source.wasm', bytes: randomWasm, capabilities: ['/output/:w'] },
    ],
  });
  await system.launch(policy);
  const data = randomData(mib);
  const start = performance.now();
  const outcome = await runParty(
    { bus: system.bus, policy, timeoutMs: 300_000 },
    {
      identity,
      sources: { big: data },
      steps: [{ op: 'data', path: '/input/big.dat', source: 'big', mode: 'write' }],
    },
  );
  const seconds = (performance.now() - start) / 1000;
  if (!outcome.ok) throw new Error(`upload failed: ${JSON.stringify(outcome.failure)}`);
  await runParty(
    { bus: system.bus, policy },
    { identity, steps: [{ op: 'shutdown' }], sources: {} },
  );
  return mib / seconds;
}

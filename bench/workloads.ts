// Workloads shared by the benchmarks and the profiler (bench/profile.ts): small computations run
// back to back by concurrent lanes, each a launch with attestation, program, execution, result and
// shutdown of random-source.
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

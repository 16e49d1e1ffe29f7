// Records the committed histories (scenarios/histories/README.md): every scenario of the catalog run
// embedded with seed 1, one protocol journal per scenario in scenarios/histories/NAME.vcj.
// scenarios/histories.test.ts replays them against today's machines. Re-record on purpose only, when
// a machine or the protocol changed in a way old journals cannot follow:
//   npm run record:histories [-- NAME...]
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedEnvironment, prepareRun, runScenario, scenarios } from '../scenarios/index.js';
import { shutdownWorkers } from '../enclave/index.js';

const SEED = 1;
const dir = new URL('../scenarios/histories/', import.meta.url).pathname;

async function record(name: string): Promise<void> {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario "${name}"`);
  const file = join(dir, `${name}.vcj`);
  // Written beside, then moved over the old history only when the run succeeded.
  const fresh = `${file}.recording`;
  const env = await embeddedEnvironment({ journalFile: fresh });
  try {
    const report = await runScenario(await prepareRun(scenario, env.trust, { seed: SEED }), env);
    if (!report.ok) {
      rmSync(fresh, { force: true });
      throw new Error(
        `${name} failed: ${report.verdict.headline}\n${report.verdict.details.join('\n')}`,
      );
    }
    renameSync(fresh, file);
    console.log(`${name}: ${report.messages} messages, ${statSync(file).size} bytes -> ${file}`);
  } finally {
    await env.stop();
  }
}

const asked = process.argv.slice(2);
const names = asked.length > 0 ? asked : scenarios.map((s) => s.name);
mkdirSync(dir, { recursive: true });
try {
  for (const name of names) await record(name);
} finally {
  await shutdownWorkers();
}
if (asked.length === 0) {
  // A full recording also removes the history of a scenario that no longer exists.
  for (const f of readdirSync(dir))
    if (f.endsWith('.vcj') && !names.includes(f.slice(0, -'.vcj'.length))) rmSync(join(dir, f));
}

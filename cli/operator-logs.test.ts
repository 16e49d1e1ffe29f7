// Operator logs (issue 14, item 7): the sealed-bid auction with every actor its own OS process
// (`vc verifier`, two `vc host`, their enclave worker processes, `vc launch`, each bidder a
// `vc client`); the services' log lines (which `vc scenario run` relays, the workers' through their
// host) must show every request served, and never a bid nor a private key. The same run checks that
// nothing is left behind: no process of its tree, no `vc-*` temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { privateTempDir } from '../transport/index.js';
import { captureIo } from './command.js';
import { main } from './main.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { hasProc, processesWithEnv, vcTempFolders } from '../test-support/leftovers.js';

const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));
const SEED = '7';

async function runVc(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [vc, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** The bidders' plaintext inputs, as `vc scenario prepare` writes them for the same seed. */
async function plaintextInputs(dir: string): Promise<string[]> {
  const prepared = await runVc([
    'scenario',
    'prepare',
    'sealed-bid-auction',
    '--out',
    dir,
    '--seed',
    SEED,
  ]);
  assert.equal(prepared.code, 0, prepared.stderr);
  const data = join(dir, 'data');
  const inputs = readdirSync(data).flatMap((party) =>
    readdirSync(join(data, party))
      .filter((label) => label !== 'wasm') // the auction program: public, and not text
      .map((label) => readFileSync(join(data, party, label), 'utf8').trim()),
  );
  assert.equal(inputs.length, 5, 'five bids');
  for (const input of inputs) assert.match(input, /^\d{4,}$/);
  return inputs;
}

test('operator logs of a sealed-bid auction, every actor a process: each request served is logged, no bid and no key ever is, nothing is left', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const work = privateTempDir('vc-operator-logs-test-');
  try {
    const bids = await plaintextInputs(join(work.path, 'prepared'));
    const tmp = join(work.path, 'tmp');
    mkdirSync(tmp, { mode: 0o700 });
    const run = await runVc(
      [
        'scenario',
        'run',
        'sealed-bid-auction',
        '--processes',
        '--seed',
        SEED,
        '--journal',
        join(work.path, 'journal.vcj'),
      ],
      { TMPDIR: tmp },
    );
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
    // The services' stderr, as the scenario runner relays it (`[host-1 stderr] ...`).
    const logs = run.stdout
      .split('\n')
      .filter((line) => /^\s*\[(verifier|host-\d+) stderr\]/.test(line))
      .join('\n');
    // Positive control: the lines are there, one per request served, from each service.
    for (const [service, kind, count] of [
      ['host', 'host.launch', 1],
      ['verifier', 'attest.start', 1],
      ['verifier', 'attest.evidence', 1],
      ['enclave', 'provision.program', 1],
      ['enclave', 'provision.data', 5],
      ['enclave', 'compute.request', 1],
      ['enclave', 'result.read', 6],
    ] as const) {
      const served = new RegExp(
        ` INFO  ${service} served kind=${kind.replace('.', '\\.')} computation=p[0-9a-f]+ from=\\S+ outcome=ok ms=\\d+`,
        'g',
      );
      assert.equal(logs.match(served)?.length, count, `${service} ${kind}:\n${logs}`);
    }
    assert.match(
      logs,
      / INFO  enclave transition actor=enclave computation=p[0-9a-f]+ from=\S+ to=serving\.idle event=attest\.certificate/,
    );
    assert.match(
      logs,
      / INFO  host transition actor=host from=idle to=spawning event=host\.launch/,
    );
    // Each launch says whether the host's spare worker process served it (vc host --spares).
    assert.match(
      logs,
      / INFO  host launch (handed to a spare worker process|started its worker process) worker=pid-\d+/,
    );
    // Negative: no plaintext input, no key material.
    for (const bid of bids) assert.ok(!logs.includes(bid), `bid ${bid} appears in the logs`);
    assert.doesNotMatch(logs, /-----BEGIN|PRIVATE KEY/);
    // Nothing left behind by the run.
    assert.deepEqual(vcTempFolders(tmp), [], 'no vc-* temporary folder is left');
    if (hasProc) assert.deepEqual(processesWithEnv(`TMPDIR=${tmp}`), [], 'no process is left');
  } finally {
    work.remove();
  }
});

test('--log-format and --log-level take known values only (ERR_USAGE, exit 2)', async () => {
  for (const args of [
    ['host', '--log-format', 'yaml', '--sim-key', 'k.pem'],
    ['host', '--log-level', 'loud', '--sim-key', 'k.pem'],
    ['verifier', '--log-format', 'xml', '--ca-cert', 'c.pem', '--ca-key', 'k.pem'],
  ]) {
    const io = captureIo();
    assert.equal(await main(args, io), 2, args.join(' '));
    assert.match(io.stderr.join('\n'), /^error ERR_USAGE: --log-(format|level) expects/);
  }
});

// The step-by-step deployment of docs/cli-quickstart.md as tests run it on one machine: a verifier
// CA, a sim platform key endorsed in the verifier's store with this installation's measurement,
// three identities named owner, data and stranger (not in the policy), the linear-regression program and
// its input, a policy, and `vc verifier` and `vc host` as their own processes on a given NATS
// server. cli/commands/client.test.ts and cli/commands/watch.test.ts share it; launch.test.ts
// shares its parts (the verifier's trust, the services).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createVerifierCa, Registry } from '../attestation/index.js';
import { measureRuntime, generateSimAttestationKey } from '../enclave/index.js';
import { createIdentity, policyTextFromSpec } from '../protocol/index.js';
import { exampleNamed } from '../sdk/index.js';
import { FileStore } from '../transport/index.js';

/** bin/vc.mjs: the `vc` command from the sources. */
export const vcBin = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));

/** Starts `vc ARGS` and resolves once it printed its first line on stdout (a service is ready). */
export function vcService(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [vcBin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`vc ${args[0]} exited ${code}: ${err}`)));
  });
}

export interface CliDeployment {
  /** The policy file every party and the launcher use. */
  readonly policyFile: string;
  /** `--identity FILE --key FILE` of `owner` (program, compute, result), `data` (input), `stranger`. */
  identityArgs(who: 'owner' | 'data' | 'stranger', key?: 'owner' | 'data' | 'stranger'): string[];
  /** The program (`/program/lr.wasm`), its input (`/input/linear-regression.dat`) on disk. */
  readonly programFile: string;
  readonly inputFile: string;
  /** The reference result of the program on that input. */
  readonly reference: Uint8Array;
  /** Stops the services (SIGTERM). */
  stop(): void;
}

/** Writes the deployment's files into `dir` and starts `vc verifier` and `vc host` on `natsUrl`. */
export interface VerifierTrust {
  /** The verifier CA's certificate (the policies' `proxy_service_cert`). */
  readonly caCertificatePem: string;
  /** The sim platform key a host signs its evidence with (`vc host --sim-key`). */
  readonly simKeyFile: string;
  /** This installation's runtime measurement, referenced in the verifier's store. */
  readonly measurement: string;
}

/**
 * Writes what `vc verifier` trusts into `dir`: a CA (`ca.pem`, `ca.key`), the sim platform key
 * (`sim.key`) endorsed in the verifier's store (`state.json`) with this installation's measurement.
 */
export async function writeVerifierTrust(dir: string): Promise<VerifierTrust> {
  const now = new Date();
  const ca = await createVerifierCa({
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 86400_000 * 30),
    random: (n) => new Uint8Array(randomBytes(n)),
  });
  await writeFile(join(dir, 'ca.pem'), ca.certificatePem);
  await writeFile(join(dir, 'ca.key'), ca.privateKeyPem);
  const simKeyFile = join(dir, 'sim.key');
  const simKey = await generateSimAttestationKey(simKeyFile);
  const store = await FileStore.open(join(dir, 'state.json'));
  const registry = new Registry(store);
  await registry.addKey('sim', simKey.publicKeyPem, 'test');
  const { measurement } = await measureRuntime();
  await registry.addReference('sim', measurement, 'measurement', 'test');
  await store.close();
  return { caCertificatePem: ca.certificatePem, simKeyFile, measurement };
}

/** `vc verifier` on `natsUrl` with the trust `writeVerifierTrust(dir)` wrote. */
export function startVerifierService(dir: string, natsUrl: string): Promise<ChildProcess> {
  return vcService([
    'verifier',
    '--nats',
    natsUrl,
    '--ca-cert',
    join(dir, 'ca.pem'),
    '--ca-key',
    join(dir, 'ca.key'),
    '--store',
    join(dir, 'state.json'),
    '--allow-simulation',
  ]);
}

/** Writes the deployment's files into `dir` and starts `vc verifier` and `vc host` on `natsUrl`. */
export async function startCliDeployment(dir: string, natsUrl: string): Promise<CliDeployment> {
  const now = new Date();
  const { caCertificatePem, simKeyFile, measurement } = await writeVerifierTrust(dir);

  // Each identity's certificate names it (CN): owner, data, stranger.
  const notBefore = new Date(now.getTime() - 3600_000);
  const [owner, dataOwner, stranger] = await Promise.all(
    (['owner', 'data', 'stranger'] as const).map((name) =>
      createIdentity({ name, now: notBefore }),
    ),
  );
  for (const [name, id] of [
    ['owner', owner],
    ['data', dataOwner],
    ['stranger', stranger],
  ] as const) {
    await writeFile(join(dir, `${name}.crt`), id!.certificatePem);
    await writeFile(join(dir, `${name}.key`), id!.privateKeyPem);
  }
  const example = exampleNamed('linear-regression');
  const wasm = new Uint8Array(await readFile(example.wasmPath));
  const programFile = join(dir, 'program.wasm');
  await writeFile(programFile, wasm);
  const run = example.generate(3, 30);
  const inputFile = join(dir, 'input.dat');
  await writeFile(inputFile, [...run.files.values()][0]!);
  const policyFile = join(dir, 'policy.json');
  await writeFile(
    policyFile,
    policyTextFromSpec({
      participants: [
        { identity: owner!, capabilities: ['/program/:wx', '/output/:r'] },
        { identity: dataOwner!, capabilities: ['/input/:w'] },
      ],
      programs: [
        { path: '/program/lr.wasm', bytes: wasm, capabilities: ['/input/:r', '/output/:w'] },
      ],
      proxyServiceCertPem: caCertificatePem,
      simMeasurements: [measurement],
      expiry: new Date(now.getTime() + 30 * 86400_000),
    }),
  );

  const children: ChildProcess[] = [];
  const stop = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  try {
    children.push(await startVerifierService(dir, natsUrl));
    children.push(
      await vcService(['host', '--nats', natsUrl, '--name', 'h1', '--sim-key', simKeyFile]),
    );
  } catch (error) {
    stop();
    throw error;
  }
  return {
    policyFile,
    identityArgs: (who, key = who) => [
      '--identity',
      join(dir, `${who}.crt`),
      '--key',
      join(dir, `${key}.key`),
    ],
    programFile,
    inputFile,
    reference: example.reference(run).get('/output/linear-regression.dat')!,
    stop,
  };
}

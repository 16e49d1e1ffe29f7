// `vc scenario prepare`: everything a deployed scenario needs before any actor starts, written to
// one directory: the verifier's CA and its state store (the sim platform key endorsed, this
// installation's runtime measurement as reference value), the hosts' sim platform key, fresh
// identities for every party, the generated policy (exact bytes), and each party's source files.
// `loadPreparedRun` reads it back (the plan is regenerated from the same seed).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createVerifierCa, Registry } from '../../attestation/index.js';
import { FileStore } from '../../transport/index.js';
import { measureRuntime, generateSimAttestationKey } from '../../enclave/index.js';
import {
  computationIdFor,
  loadIdentity,
  type Identity,
  loadPolicyFile,
} from '../../protocol/index.js';
import { prepareRun, type PreparedRun } from '../prepare.js';
import type { Scenario } from '../scenario.js';
import type { Layout } from './layout.js';

interface PlanFile {
  readonly scenario: string;
  readonly seed: number;
  readonly computation: string;
  readonly policyHash: string;
}

async function write(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data, { mode });
}

export async function prepareDirectory(
  scenario: Scenario,
  layout: Layout,
  options: { seed?: number; now?: Date } = {},
): Promise<PreparedRun> {
  const now = options.now ?? new Date();
  const ca = await createVerifierCa({
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    random: (n) => new Uint8Array(randomBytes(n)),
  });
  await write(layout.caCertificate, ca.certificatePem);
  await write(layout.caKey, ca.privateKeyPem, 0o600);
  // A directory prepared before (a compose volume kept between runs) is prepared afresh.
  await rm(layout.simKey, { force: true });
  await rm(layout.verifierStore, { force: true });
  await mkdir(dirname(layout.simKey), { recursive: true });
  const simKey = await generateSimAttestationKey(layout.simKey);
  const { measurement } = await measureRuntime();
  const store = await FileStore.open(layout.verifierStore);
  try {
    const registry = new Registry(store);
    await registry.addKey('sim', simKey.publicKeyPem, `${scenario.name} hosts`);
    await registry.addReference('sim', measurement, 'measurement', 'this installation');
  } finally {
    await store.close();
  }
  const run = await prepareRun(
    scenario,
    { caCertificatePem: ca.certificatePem, measurements: [measurement] },
    { ...(options.seed === undefined ? {} : { seed: options.seed }), now },
  );
  await write(layout.policy, run.policyText);
  for (const [party, identity] of run.identities) {
    await write(layout.certificate(party), identity.certificatePem);
    await write(layout.key(party), identity.privateKeyPem, 0o600);
  }
  for (const [party, sources] of run.plan.sources)
    for (const [label, bytes] of sources) await write(layout.source(party, label), bytes, 0o600);
  for (const party of run.plan.parties)
    await mkdir(layout.result(party.name, 'x').replace(/\/x$/, ''), { recursive: true });
  const planFile: PlanFile = {
    scenario: scenario.name,
    seed: run.seed,
    computation: run.computation,
    policyHash: run.policy.hash,
  };
  await write(layout.plan, JSON.stringify(planFile, null, 2) + '\n');
  return run;
}

export async function loadPreparedRun(scenario: Scenario, layout: Layout): Promise<PreparedRun> {
  const planFile = JSON.parse(await readFile(layout.plan, 'utf8')) as PlanFile;
  const policy = await loadPolicyFile(layout.policy);
  const plan = scenario.plan(planFile.seed);
  const identities = new Map<string, Identity>();
  for (const party of plan.parties)
    identities.set(
      party.name,
      await loadIdentity(layout.certificate(party.name), layout.key(party.name)),
    );
  return {
    scenario,
    seed: planFile.seed,
    plan,
    identities,
    policyText: new TextDecoder().decode(policy.bytes),
    policy,
    computation: computationIdFor(policy.hash),
  };
}

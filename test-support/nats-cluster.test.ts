import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { hasBinary, requireResource } from './requirements.js';
import { startNatsCluster } from './nats-cluster.js';
import { isVcError, subjectsFor } from '../protocol/index.js';
import { ensureJournalStream, KvStore } from '../transport/index.js';

test('startNatsCluster: three routed JetStream nodes with a meta leader accept a replicated stream', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const cluster = await startNatsCluster();
  try {
    assert.equal(cluster.urls.length, 3);
    const nc = await connect({ servers: [...cluster.urls] });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.add({
      name: 'replicated',
      subjects: ['rep.>'],
      num_replicas: 3,
    });
    assert.equal(info.config.num_replicas, 3);
    // --replicas: the journal and a bucket with as many copies as the cluster has servers; more
    // is ERR_NATS_REPLICAS naming the count
    const subjects = subjectsFor('replicated');
    await ensureJournalStream(nc, { subjects, replicas: 3 });
    assert.equal((await jsm.streams.info(subjects.journalStream)).config.num_replicas, 3);
    await KvStore.open(nc, subjects.computationsBucket, undefined, { replicas: 3 });
    await assert.rejects(
      ensureJournalStream(nc, { subjects: subjectsFor('toomany'), replicas: 5 }),
      (e: unknown) => {
        assert.ok(isVcError(e, 'ERR_NATS_REPLICAS'), String(e));
        assert.match((e as Error).message, /--replicas 5/);
        return true;
      },
    );
    await nc.close();
  } finally {
    await cluster.stop();
  }
});

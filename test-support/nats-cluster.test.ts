import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { hasBinary, requireResource } from './requirements.js';
import { startNatsCluster } from './nats-cluster.js';

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
    await nc.close();
  } finally {
    await cluster.stop();
  }
});

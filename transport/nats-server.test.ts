import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { startNatsServer } from './nats-server.js';

test('startNatsServer: a private JetStream server that restarts on the same port and stops by pid', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const server = await startNatsServer();
  try {
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'probe', subjects: ['probe.>'] });
    await nc.close();
    const firstPid = server.pid;
    await server.restart();
    assert.notEqual(server.pid, firstPid);
    const again = await connect({ servers: server.url });
    const streams = await (await jetstreamManager(again)).streams.names().next();
    assert.deepEqual(streams, ['probe']); // the store survived the restart
    await again.close();
  } finally {
    await server.stop();
  }
  assert.throws(() => process.kill(server.pid, 0));
});

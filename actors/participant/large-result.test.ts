// Results of any size: a guest writes a result larger than 8 MiB and the reader pulls it back as a
// sealed stream over a private nats-server with its default max_payload (1 MiB), so no message may
// carry the result whole (docs/protocol.md, "Streams").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { GeneratedIdentity } from '../../protocol/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { natsServerBinary, startNatsServer } from '../../transport/index.js';
import { natsBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';
import { runParty } from './run-computation.js';

const PROGRAM = '/program/read-file.wasm';

test('a 9 MiB result is read back over a nats-server with the default 1 MiB max_payload', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer({ jetstream: false });
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'none' } }),
  });
  try {
    const [owner] = (await identities(1)) as [GeneratedIdentity];
    const policy = policyFor(system, {
      participants: [
        { identity: owner, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] },
      ],
      programs: [
        {
          path: PROGRAM,
          bytes: wasmOf('read-file'),
          capabilities: ['/input/:r', '/output/:rw', 'stdout:w'],
        },
      ],
      maxMemoryMib: 64,
    });
    await system.launch(policy);
    // read-file copies /input/hello-world-1.dat to /output/hello-world-1.dat
    const input = new Uint8Array(randomBytes(9 * 2 ** 20 + 12_345));
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: owner,
        sources: { program: wasmOf('read-file'), input },
        steps: [
          { op: 'program', path: PROGRAM, source: 'program' },
          { op: 'data', path: '/input/hello-world-1.dat', source: 'input', mode: 'write' },
          { op: 'compute', program: PROGRAM },
          { op: 'result', path: '/output/hello-world-1.dat', destination: 'copy' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    const copy = outcome.results.get('copy');
    assert.ok(copy && copy.length > 8 * 2 ** 20);
    assert.deepEqual(copy, input);
  } finally {
    await system.stop();
    await server.stop();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, webcrypto } from 'node:crypto';
import { isVcError } from '../../protocol/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { Uploads } from './enclave-uploads.js';
import { runParty } from '../participant/run-computation.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';
import { sealTo, UPLOAD_CHUNK_BYTES } from '../../transport/index.js';
import { pathAndFile, progressBar } from '../../cli/index.js';

test('a multi-chunk upload arrives whole and reads back sealed to the reader', async () => {
  const system = await startSystem({ bus: memoryBus(), hosts: 2 });
  try {
    const [owner] = await identities(1);
    const policy = policyFor(system, {
      participants: [{ identity: owner!, capabilities: ['/input/:rw', '/program/:w'] }],
      programs: [{ path: '/program/p.wasm', bytes: wasmOf('random-source'), capabilities: [] }],
    });
    await system.launch(policy);
    const big = new Uint8Array(randomBytes(UPLOAD_CHUNK_BYTES * 2 + 12345));
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: owner!,
        sources: { big },
        steps: [
          { op: 'data', path: '/input/big.dat', source: 'big', mode: 'write' },
          { op: 'result', path: '/input/big.dat', destination: 'back' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    assert.deepEqual(outcome.outcomes[0]!.body, { path: '/input/big.dat', received: big.length });
    assert.deepEqual(outcome.results.get('back'), big);
    // Machines see handles, never the bytes: no trace record carries any part of the plaintext.
    await system.bus.flush();
    const traces = (await system.journal()).filter((e) => e.subject.includes('.trace.'));
    assert.ok(traces.length > 0);
    for (const offset of [0, UPLOAD_CHUNK_BYTES, big.length - 64]) {
      const part = Buffer.from(big.subarray(offset, offset + 64));
      for (const t of traces) assert.equal(Buffer.from(t.data).indexOf(part), -1, t.subject);
    }
  } finally {
    await system.stop();
  }
});

test('chunks out of order, of another upload, or sealed for another place are refused', async () => {
  const hpke = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', hpke.publicKey));
  const ctx = { computation: 'p1', session: 's1', path: '/input/a', purpose: 'upload' as const };
  const chunk = (index: number, upload = 'u1') => ({ upload, index, count: 2 });
  const sealed = async (index: number, context = ctx) =>
    sealTo(raw, new Uint8Array([index]), { ...context, chunk: chunk(index) });

  const uploads = new Uploads(hpke, 'p1', 's1');
  await assert.rejects(
    uploads.accept('c:a', { path: '/input/a', size: 2, sealed: await sealed(1), chunk: chunk(1) }),
    (e) => isVcError(e, 'ERR_BAD_MESSAGE'),
  );
  const first = await uploads.accept('c:a', {
    path: '/input/a',
    size: 2,
    sealed: await sealed(0),
    chunk: chunk(0),
  });
  assert.deepEqual(first, { complete: false, received: 1 });
  await assert.rejects(
    uploads.accept('c:a', {
      path: '/input/a',
      size: 2,
      sealed: await sealed(1, { ...ctx, path: '/input/b' }),
      chunk: chunk(1),
    }),
    (e) => isVcError(e, 'ERR_SEAL_OPEN_FAILED'),
  );
  const again = new Uploads(hpke, 'p1', 's2'); // another session
  await assert.rejects(
    again.accept('c:a', { path: '/input/a', size: 2, sealed: await sealed(0), chunk: chunk(0) }),
    (e) => isVcError(e, 'ERR_SEAL_OPEN_FAILED'),
  );
});

test('launches spread over the hosts of the queue group', async () => {
  const system = await startSystem({ bus: memoryBus(), hosts: 2 });
  try {
    const ids = await identities(2);
    const hosts = new Set<string>();
    for (const identity of ids) {
      const policy = policyFor(system, {
        participants: [{ identity, capabilities: ['/program/:w'] }],
        programs: [{ path: '/program/p.wasm', bytes: wasmOf('random-source'), capabilities: [] }],
      });
      hosts.add((await system.launch(policy)).host);
    }
    assert.deepEqual([...hosts].sort(), ['host-0', 'host-1']);
  } finally {
    await system.stop();
  }
});

test('command-line helpers: PATH=FILE and the progress bar', () => {
  assert.deepEqual(pathAndFile('/input/a=b=c.txt', '--data'), {
    path: '/input/a',
    file: 'b=c.txt',
  });
  // a malformed command line is ERR_USAGE (exit 2), not an internal error
  assert.throws(() => pathAndFile('/input/a', '--data'), { code: 'ERR_USAGE' });
  assert.throws(() => pathAndFile('=x', '--data'), { code: 'ERR_USAGE' });
  assert.equal(progressBar('/x', 50, 100, 10), '[#####.....]  50% /x 0.0/0.0 MiB');
  assert.match(progressBar('/x', 100, 100, 10), /^\[##########\] 100%/);
});

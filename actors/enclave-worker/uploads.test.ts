import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, webcrypto } from 'node:crypto';
import { type ErrorCode, isVcError } from '../../protocol/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { Uploads } from './enclave-uploads.js';
import { runParty } from '../participant/run-computation.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';
import {
  ephemeralKeyPair,
  sealStream,
  type SealedPart,
  StreamOpener,
  UPLOAD_CHUNK_BYTES,
} from '../../transport/index.js';
import { ResultStreams } from './enclave-results.js';
import { renamablePaths, progressBar } from '../../cli/index.js';

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

test('chunks arrive in any order; a chunk of another upload or place ends the upload for good', async () => {
  const hpke = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', hpke.publicKey));
  const ctx = { computation: 'p1', session: 's1', path: '/input/a', purpose: 'upload' as const };
  const file = new Uint8Array(randomBytes(2 * UPLOAD_CHUNK_BYTES + 10));
  const stream = async (upload: string, context = ctx) => [
    ...(await sealStream(raw, file, context, upload)),
  ];
  const body = (part: SealedPart) => ({
    path: '/input/a',
    size: file.length,
    sealed: part.sealed,
    chunk: part.chunk!,
  });
  const bad = (code: ErrorCode) => (e: unknown) => isVcError(e, code);

  // any order within the upload: the file is whole once every chunk opened
  const uploads = new Uploads(hpke, 'p1', 's1');
  const [c0, c1, c2] = await stream('u1');
  assert.deepEqual(await uploads.accept('c:a', body(c2!)), { complete: false, received: 10 });
  assert.equal((await uploads.accept('c:a', body(c0!))).complete, false);
  const whole = await uploads.accept('c:a', body(c1!));
  assert.ok(whole.complete);
  assert.deepEqual(whole.bytes, file);

  // a chunk repeated ends the upload; its later chunks are refused, no file is ever complete
  const [d0, d1, d2] = await stream('u2');
  await uploads.accept('c:a', body(d0!));
  await assert.rejects(uploads.accept('c:a', body(d0!)), bad('ERR_BAD_MESSAGE'));
  await assert.rejects(uploads.accept('c:a', body(d1!)), bad('ERR_BAD_MESSAGE'));
  await assert.rejects(uploads.accept('c:a', body(d2!)), bad('ERR_BAD_MESSAGE'));

  // substituted: the same place of another upload of the same file
  const [e0] = await stream('u3');
  const [, f1] = await stream('u4');
  await uploads.accept('c:a', body(e0!));
  await assert.rejects(
    uploads.accept('c:a', { ...body(f1!), chunk: { upload: 'u3', index: 1, count: 3 } }),
    bad('ERR_SEAL_OPEN_FAILED'),
  );

  // reordered: a chunk presented at another index
  const [, g1, g2] = await stream('u5');
  await uploads.accept('c:a', body(g1!));
  await assert.rejects(
    uploads.accept('c:a', { ...body(g2!), chunk: { upload: 'u5', index: 0, count: 3 } }),
    bad('ERR_SEAL_OPEN_FAILED'),
  );

  // truncated: the first two chunks presented as a whole upload of two
  const [h0] = await stream('u6');
  const size = 2 * UPLOAD_CHUNK_BYTES;
  await assert.rejects(
    uploads.accept('c:a', { ...body(h0!), size, chunk: { upload: 'u6', index: 0, count: 2 } }),
    bad('ERR_SEAL_OPEN_FAILED'),
  );

  // replayed into another session, or sealed for another path
  const again = new Uploads(hpke, 'p1', 's2');
  const [k0] = await stream('u7');
  await assert.rejects(again.accept('c:a', body(k0!)), bad('ERR_SEAL_OPEN_FAILED'));
  const [m0] = await stream('u8', { ...ctx, path: '/input/b' });
  await assert.rejects(uploads.accept('c:a', body(m0!)), bad('ERR_SEAL_OPEN_FAILED'));
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

test('command-line helpers: [PATH=]FILE lists (as Veracruz parses them) and the progress bar', () => {
  assert.deepEqual(renamablePaths('/input/a=b=c.txt', '--data'), [
    { path: '/input/a', file: 'b=c.txt' },
  ]);
  // a bare FILE is its own enclave path, with a leading slash; the standard streams keep theirs
  assert.deepEqual(renamablePaths('input/a.dat,stdout=-,/o/x=y', '-o'), [
    { path: '/input/a.dat', file: 'input/a.dat' },
    { path: 'stdout', file: '-' },
    { path: '/o/x', file: 'y' },
  ]);
  // a malformed command line is ERR_USAGE (exit 2), not an internal error
  for (const bad of ['=x', '/input/a=', 'a,,b', ''])
    assert.throws(() => renamablePaths(bad, '--data'), { code: 'ERR_USAGE' });
  assert.equal(progressBar('/x', 50, 100, 10), '[#####.....]  50% /x 0.0/0.0 MiB');
  assert.match(progressBar('/x', 100, 100, 10), /^\[##########\] 100%/);
});

test('a result stream is served only to its reader, for its path, key and count, in any order', async () => {
  const { keyPair, publicRaw } = await ephemeralKeyPair();
  const results = new ResultStreams('p1', () => 's1');
  const file = new Uint8Array(randomBytes(2 * UPLOAD_CHUNK_BYTES + 5));
  const first = await results.open('ref1', 'c:reader', '/output/r', publicRaw, file);
  const chunk = results.takeFirst('ref1')!;
  assert.equal(chunk.count, 3);
  assert.equal(chunk.index, 0);
  const context = {
    computation: 'p1',
    session: 's1',
    path: '/output/r',
    purpose: 'result' as const,
  };
  const opener = await StreamOpener.from(keyPair, first, { ...context, chunk });
  const read = (index: number) => ({
    path: '/output/r',
    replyKey: publicRaw,
    chunk: { ...chunk, index },
  });
  const bad = (e: unknown) => isVcError(e, 'ERR_BAD_MESSAGE');
  assert.throws(() => results.next('c:other', read(1)), bad);
  assert.throws(() => results.next('c:reader', { ...read(1), path: '/output/q' }), bad);
  assert.throws(() => results.next('c:reader', { ...read(1), replyKey: new Uint8Array(65) }), bad);
  assert.throws(
    () => results.next('c:reader', { ...read(1), chunk: { ...chunk, index: 1, count: 2 } }),
    bad,
  );
  assert.throws(() => results.next('c:reader', read(3)), bad);
  const last = results.next('c:reader', read(2));
  const middle = results.next('c:reader', read(1));
  assert.equal(middle.size, file.length);
  assert.deepEqual(
    Buffer.concat([
      opener.open(first, 0, 3),
      opener.open(middle.sealed!, 1, 3),
      opener.open(last.sealed!, 2, 3),
    ]),
    Buffer.from(file),
  );
  // every chunk served: the stream is forgotten
  assert.throws(() => results.next('c:reader', read(1)), bad);
  // a result of one chunk travels without `chunk`
  await results.open('ref2', 'c:reader', '/output/r', publicRaw, new Uint8Array(3));
  assert.equal(results.takeFirst('ref2'), undefined);
});

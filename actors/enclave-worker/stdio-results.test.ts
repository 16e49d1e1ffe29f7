// `stdout` and `stderr` as results, through the enclave: Veracruz's policies grant `r` on the pseudo
// files `stdout`/`stderr` (docs/policy.md), and a reader holding it reads what the last execution
// wrote there; a reader without it is refused, and an empty or never-written stream is no result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { runComputation } from '../participant/run-computation.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

test('stdout and stderr are results for a reader holding r on them, refused to others', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, reader, stranger] = await identities(3);
    const wasm = wasmOf('read-file');
    const program = '/program/read-file.wasm';
    const policy = policyFor(system, {
      participants: [
        { identity: owner!, capabilities: ['/program/:wx', '/input/:w', 'stderr:r'] },
        { identity: reader!, capabilities: ['stdout:r', 'stderr:r'] },
        { identity: stranger!, capabilities: ['/output/:r'] },
      ],
      programs: [
        {
          path: program,
          bytes: wasm,
          capabilities: ['/input/:r', '/output/:rw', 'stdout:w', 'stderr:w'],
        },
      ],
    });
    await system.launch(policy);
    const [first, second, third, fourth, fifth] = await runComputation({
      bus: system.bus,
      policy,
      stopOnFailure: false,
      rounds: [
        // Nothing ran yet: no stream to read.
        [{ identity: reader!, steps: [{ op: 'result', path: 'stdout', destination: 'out' }] }],
        // Without its input the program says why on stderr and exits 1.
        [
          {
            identity: owner!,
            steps: [
              { op: 'program', path: program, source: 'wasm' },
              { op: 'compute', program },
            ],
            sources: { wasm },
          },
        ],
        [{ identity: reader!, steps: [{ op: 'result', path: 'stderr', destination: 'err' }] }],
        [
          {
            identity: owner!,
            steps: [
              { op: 'data', path: '/input/hello-world-1.dat', source: 'in', mode: 'write' },
              { op: 'compute', program },
            ],
            sources: { in: new TextEncoder().encode('hi') },
          },
        ],
        [
          {
            identity: reader!,
            steps: [{ op: 'result', path: 'stdout', destination: 'out' }],
          },
          {
            identity: stranger!,
            steps: [{ op: 'result', path: 'stdout', destination: 'out' }],
          },
          {
            identity: owner!,
            steps: [{ op: 'result', path: 'stdout', destination: 'out' }],
          },
        ],
      ],
    });
    assert.equal(first![0]!.failure?.code, 'ERR_NO_RESULT');
    assert.equal(second![0]!.failure?.code, 'ERR_PROGRAM_FAILED');
    const stderr = third![0]!;
    assert.equal(stderr.state, 'done', JSON.stringify(stderr.failure));
    assert.match(text(stderr.results.get('err')), /^read \/input\/hello-world-1\.dat: /);
    assert.equal(fourth![0]!.state, 'done', JSON.stringify(fourth![0]!.failure));
    const [allowed, refused, owned] = fifth!;
    assert.equal(allowed!.state, 'done', JSON.stringify(allowed!.failure));
    assert.equal(text(allowed!.results.get('out')), 'hello\nrust\n');
    // r on /output/ is not r on stdout, and neither is w/x elsewhere.
    for (const denied of [refused!, owned!]) {
      assert.equal(denied.failure?.code, 'ERR_ACCESS_DENIED');
      assert.equal(denied.results.size, 0);
    }
  } finally {
    await system.stop();
  }
});

test("Veracruz's own rights numbers on stdout: a reader with 24582 reads what a program with 534084 wrote", async () => {
  // The numbers a current-format Veracruz policy gives a result reader and a program on stdout.
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, reader] = await identities(2);
    const wasm = wasmOf('read-file');
    const program = '/program/read-file.wasm';
    const policy = policyFor(system, {
      participants: [
        { identity: owner!, capabilities: ['/program/:wx', '/input/:w'] },
        { identity: reader!, capabilities: ['stdout:24582'] },
      ],
      programs: [
        {
          path: program,
          bytes: wasm,
          capabilities: ['/input/:r', '/output/:rw', 'stdout:534084', 'stderr:534084'],
        },
      ],
    });
    await system.launch(policy);
    const [, read] = await runComputation({
      bus: system.bus,
      policy,
      rounds: [
        [
          {
            identity: owner!,
            steps: [
              { op: 'program', path: program, source: 'wasm' },
              { op: 'data', path: '/input/hello-world-1.dat', source: 'in', mode: 'write' },
              { op: 'compute', program },
            ],
            sources: { wasm, in: new TextEncoder().encode('x') },
          },
        ],
        [{ identity: reader!, steps: [{ op: 'result', path: 'stdout', destination: 'out' }] }],
      ],
    });
    assert.equal(read![0]!.state, 'done', JSON.stringify(read![0]!.failure));
    assert.equal(text(read![0]!.results.get('out')), 'hello\nrust\n');
  } finally {
    await system.stop();
  }
});

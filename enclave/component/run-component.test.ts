// Components end to end: the same program as a core module (our preview 1 host) and as a component
// (jco's preview 1 adapter, our WASI 0.2 host) sees the same rights and escapes refused; limits,
// traps and refusals carry the sandbox's error codes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from '@bytecodealliance/jco-transpile/wasm-tools';
import { RIGHTS_ALL, RIGHTS_READ, RIGHTS_WRITE, type RightsTable } from '../../protocol/index.js';
import { runProgram } from '../runner/run-program.js';
import { shutdownWorkers } from '../runner/worker-pool.js';
import { Vfs } from '../vfs/vfs.js';
import { isComponent, isCoreModule } from './detect.js';
import { runComponent } from './run-component.js';
import { glueAsFunctionBody, transpileComponent } from './transpile.js';

const guest = (path: string): Uint8Array =>
  readFileSync(new URL(`../../sdk/components/${path}`, import.meta.url));
const probeCore = guest('fs-probe/fs-probe.wasm');
const probeComponent = guest('fs-probe/fs-probe.component.wasm');
const digestComponent = guest('file-digest/file-digest.component.wasm');
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

after(async () => {
  await shutdownWorkers();
});

const rights: RightsTable = [
  { path: '/input/', rights: RIGHTS_READ },
  { path: '/output/', rights: RIGHTS_WRITE },
  { path: 'stdout', rights: RIGHTS_ALL },
  { path: 'stderr', rights: RIGHTS_ALL },
];

function probeVfs(): Vfs {
  const vfs = new Vfs();
  vfs.writeUnchecked('/input/a.txt', utf8('alpha'));
  vfs.writeUnchecked('/output/old.txt', utf8('old'));
  vfs.writeUnchecked('/secret/s.txt', utf8('secret'));
  return vfs;
}

// errno values of wasi-libc: EACCES 2, EBADF 8, ENOENT 44, EPERM 63, ENOTCAPABLE 76.
const ALLOWED = [
  'read:/input/a.txt',
  'read:/input/./a.txt',
  'write:/output/old.txt',
  'create:/output/new.txt',
  'mkdir:/output/d',
  'list:/input',
];
const DENIED = [
  'write:/input/a.txt',
  'create:/input/n.txt',
  'read:/output/old.txt',
  'unlink:/output/old.txt',
  'list:/output',
  'stat:/input/a.txt',
  'rename:/output/new.txt:/output/r.txt',
  'rmdir:/output/d',
];
const ESCAPES = [
  'read:/input/../secret/s.txt',
  'create:/output/../secret/x',
  'read:/input/../../secret/s.txt',
];

function errnos(stdout: Uint8Array): Map<string, number> {
  const lines = new TextDecoder().decode(stdout).trim().split('\n');
  return new Map(
    lines.map((line) => {
      const [op, path, errno] = line.split(' ');
      return [`${op}:${path}`, Number(errno)];
    }),
  );
}

test('detects components and core modules by the preamble', () => {
  assert.equal(isComponent(probeComponent), true);
  assert.equal(isCoreModule(probeComponent), false);
  assert.equal(isComponent(probeCore), false);
  assert.equal(isCoreModule(probeCore), true);
  assert.equal(isComponent(utf8('not wasm at all')), false);
});

test('a component is refused the same operations as the same program as a core module', async () => {
  const ops = [...ALLOWED, ...DENIED, ...ESCAPES, 'read:/secret/s.txt', 'read:/input/missing'];
  const coreVfs = probeVfs();
  const componentVfs = probeVfs();
  const core = errnos(
    (await runProgram({ program: probeCore, vfs: coreVfs, rights, args: ops })).stdout,
  );
  const component = errnos(
    (await runComponent({ program: probeComponent, vfs: componentVfs, rights, args: ops })).stdout,
  );
  for (const op of ALLOWED) {
    assert.equal(core.get(op), 0, `core ${op}`);
    assert.equal(component.get(op), 0, `component ${op}`);
  }
  for (const op of DENIED) {
    assert.ok([76, 8].includes(core.get(op) ?? -1), `core ${op}: ${core.get(op)}`);
    assert.equal(component.get(op), 2, `component ${op} (access -> EACCES)`);
  }
  for (const op of ESCAPES) {
    assert.equal(core.get(op), 76, `core ${op}`);
    assert.equal(component.get(op), 63, `component ${op} (not-permitted -> EPERM)`);
  }
  // No pre-open covers /secret: wasi-libc refuses before any host call, alike for both.
  assert.equal(component.get('read:/secret/s.txt'), core.get('read:/secret/s.txt'));
  assert.equal(component.get('read:/input/missing'), 44);
  assert.equal(core.get('read:/input/missing'), 44);
  for (const vfs of [coreVfs, componentVfs]) {
    assert.deepEqual(vfs.readUnchecked('/secret/s.txt'), utf8('secret'));
    assert.equal(vfs.exists('/secret/x'), false);
    assert.equal(vfs.exists('/input/n.txt'), false);
    assert.deepEqual(vfs.readUnchecked('/output/old.txt'), utf8('probe\n'));
    assert.equal(vfs.exists('/output/new.txt'), true);
  }
});

test('the component computes what the core module computes', async () => {
  const data = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
  const outputs: string[] = [];
  for (const [program, run] of [
    [guest('file-digest/file-digest.wasm'), runProgram],
    [digestComponent, runComponent],
  ] as const) {
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/data.bin', data);
    vfs.mkdir('/output');
    const result = await run({ program, vfs, rights, args: ['65536'] });
    assert.equal(result.exitCode, 0);
    outputs.push(new TextDecoder().decode(vfs.readUnchecked('/output/digest.txt')));
  }
  assert.match(outputs[0] ?? '', /^bytes=300000 fnv1a64=[0-9a-f]{16}\n$/);
  assert.equal(outputs[1], outputs[0]);
});

// The adapter's limit sits just under 128 KiB (126 285 bytes with jco 1.35: docs/components.md).
test('jco preview 1 adapter: a single read of 64 KiB works, one of 128 KiB traps', async () => {
  for (const [size, traps] of [
    [65536, false],
    [131072, true],
  ] as const) {
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/data.bin', new Uint8Array(200_000));
    vfs.mkdir('/output');
    const run = runComponent({ program: digestComponent, vfs, rights, args: [String(size)] });
    if (traps) {
      await assert.rejects(run, { code: 'ERR_GUEST_TRAP' });
      assert.equal(vfs.exists('/output/digest.txt'), false, 'no diff applied after a trap');
    } else {
      assert.equal((await run).exitCode, 0);
    }
  }
});

test('memory is capped at max_memory_mib', async () => {
  const vfs = new Vfs();
  vfs.writeUnchecked('/input/data.bin', new Uint8Array(10));
  vfs.mkdir('/output');
  // A 32 MiB buffer does not fit under a 16 MiB cap: malloc fails inside the guest.
  const capped = await runComponent({
    program: digestComponent,
    vfs,
    rights,
    args: [String(32 << 20)],
    limits: { maxMemoryMib: 16 },
  });
  assert.equal(capped.exitCode, 1);
  assert.match(new TextDecoder().decode(capped.stderr), /memory/i);
  await assert.rejects(
    runComponent({ program: digestComponent, vfs, rights, limits: { maxMemoryMib: 0.05 } }),
    { code: 'ERR_MEMORY_LIMIT' },
  );
});

test('the wall-clock budget stops a component', async () => {
  const vfs = new Vfs();
  vfs.writeUnchecked('/input/data.bin', new Uint8Array(8 << 20));
  vfs.mkdir('/output');
  await transpileComponent(digestComponent);
  await assert.rejects(
    runComponent({
      program: digestComponent,
      vfs,
      rights,
      args: ['1'],
      limits: { timeoutMs: 300 },
    }),
    { code: 'ERR_EXECUTION_TIMEOUT' },
  );
  assert.equal(vfs.exists('/output/digest.txt'), false);
});

test('components importing sockets (or anything else unsupported) are refused', async () => {
  const component = await parse(`(component
    (import "wasi:sockets/tcp-create-socket@0.2.0" (instance $s (export "create-tcp-socket" (func))))
    (core module $m (import "s" "c" (func)) (func (export "g") call 0))
    (core func $c (canon lower (func $s "create-tcp-socket")))
    (core instance $i (instantiate $m (with "s" (instance (export "c" (func $c))))))
    (func $run (canon lift (core func $i "g")))
    (export "run" (func $run)))`);
  await assert.rejects(transpileComponent(component), { code: 'ERR_COMPONENT_IMPORT' });
  await assert.rejects(transpileComponent(probeCore), { code: 'ERR_COMPONENT_TRANSPILE' });
});

test('transpilation is cached by program hash', async () => {
  const first = await transpileComponent(probeComponent);
  const second = await transpileComponent(probeComponent.slice());
  assert.equal(second, first);
  assert.match(first.hash, /^[0-9a-f]{64}$/);
});

test('deterministic mode gives a component the same random bytes and virtual clock as a core module', async () => {
  const args = ['random:16', 'random:16', 'clock:realtime', 'clock:monotonic'];
  const stdio: RightsTable = [{ path: 'stdout', rights: RIGHTS_ALL }];
  const run = async (
    program: Uint8Array,
    runner: typeof runComponent,
    seed: number,
  ): Promise<string> =>
    new TextDecoder().decode(
      (await runner({ program, vfs: new Vfs(), rights: stdio, args, seed, clock: true })).stdout,
    );
  const component = await run(probeComponent, runComponent, 5);
  assert.equal(await run(probeComponent, runComponent, 5), component);
  assert.equal(await run(probeCore, runProgram, 5), component);
  assert.notEqual(await run(probeComponent, runComponent, 6), component);
  assert.match(component, /^random 16 0 [0-9a-f]{32}\n/);
});

test('without enable_clock a component reads a clock stopped at zero', async () => {
  const stdio: RightsTable = [{ path: 'stdout', rights: RIGHTS_ALL }];
  const args = ['clock:realtime', 'clock:monotonic'];
  const component = await runComponent({
    program: probeComponent,
    vfs: new Vfs(),
    rights: stdio,
    args,
  });
  assert.equal(
    new TextDecoder().decode(component.stdout),
    'clock realtime 0 0\nclock monotonic 0 0\n',
  );
  // The core module's clock calls fail instead (ENOTCAPABLE): WASI 0.2 clocks cannot fail.
  const core = await runProgram({ program: probeCore, vfs: new Vfs(), rights: stdio, args });
  assert.equal(new TextDecoder().decode(core.stdout), 'clock realtime 76\nclock monotonic 76\n');
});

test('glue that would need a module loader is refused', () => {
  assert.match(
    glueAsFunctionBody('export function instantiate() {}\nexport const _util = {};'),
    /return instantiate;/,
  );
  for (const glue of [
    'import fs from "node:fs";\nexport function instantiate() {}',
    'const u = import.meta.url;',
  ]) {
    assert.throws(() => glueAsFunctionBody(glue), { code: 'ERR_COMPONENT_TRANSPILE' });
  }
});

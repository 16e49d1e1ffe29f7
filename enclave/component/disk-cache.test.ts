// The disk cache of transpiled components (disk-cache.ts): used by the next transpilation after the
// first (observable through `from`, not timed), in a private folder, and an entry that is damaged or
// is another component's is refused and rewritten from jco, never used.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RIGHTS_ALL, type RightsTable } from '../../protocol/index.js';
import { shutdownWorkers } from '../runner/worker-pool.js';
import { Vfs } from '../vfs/vfs.js';
import { clearComponentCaches, runComponent } from './run-component.js';
import { transpileComponent } from './transpile.js';

const guest = (path: string): Uint8Array =>
  readFileSync(new URL(`../../sdk/components/${path}`, import.meta.url));
const digestComponent = guest('file-digest/file-digest.component.wasm');
const probeComponent = guest('fs-probe/fs-probe.component.wasm');

let root: string;
let cache: string;
const previous = process.env['VC_COMPONENT_CACHE'];
before(() => {
  root = mkdtempSync(join(tmpdir(), 'vc-component-cache-'));
  cache = join(root, 'components');
  process.env['VC_COMPONENT_CACHE'] = cache;
});
after(async () => {
  if (previous === undefined) delete process.env['VC_COMPONENT_CACHE'];
  else process.env['VC_COMPONENT_CACHE'] = previous;
  clearComponentCaches();
  rmSync(root, { recursive: true, force: true });
  await shutdownWorkers();
});

/** The one entry of `component` in the cache folder. */
function entryOf(hash: string): string {
  const names = readdirSync(cache).filter((name) => name.startsWith(`${hash}-`));
  assert.equal(names.length, 1, names.join());
  return join(cache, names[0]!);
}

test('a component transpiled once is read from the disk cache by the next transpilation', async () => {
  clearComponentCaches();
  const first = await transpileComponent(digestComponent);
  assert.equal(first.from, 'jco');
  assert.equal(statSync(cache).mode & 0o777, 0o700);
  assert.equal(statSync(entryOf(first.hash)).mode & 0o777, 0o600);

  clearComponentCaches(); // as a new process: nothing in memory
  const second = await transpileComponent(digestComponent);
  assert.equal(second.from, 'disk cache');
  assert.equal(second.hash, first.hash);
  assert.equal(second.glue, first.glue);
  assert.deepEqual(second.imports, first.imports);
  assert.deepEqual([...second.coreModules], [...first.coreModules]);

  // And the component still runs from it.
  clearComponentCaches();
  const rights: RightsTable = [
    { path: '/input/', rights: RIGHTS_ALL },
    { path: '/output/', rights: RIGHTS_ALL },
  ];
  const vfs = new Vfs();
  vfs.writeUnchecked('/input/data.bin', new Uint8Array([1, 2, 3]));
  vfs.mkdir('/output');
  const result = await runComponent({
    program: digestComponent,
    vfs,
    rights,
    args: ['/input/data.bin'],
    limits: { maxMemoryMib: 64, timeoutMs: 60_000 },
  });
  assert.equal(result.exitCode, 0);
});

test('a damaged entry is refused, transpiled again and rewritten', async () => {
  clearComponentCaches();
  const { hash } = await transpileComponent(digestComponent);
  const entry = entryOf(hash);
  const good = readFileSync(entry);
  for (const damage of [
    (bytes: Buffer) => bytes.subarray(0, bytes.length - 1), // truncated
    (bytes: Buffer) => {
      const copy = Buffer.from(bytes);
      copy[copy.length >> 1] = copy[copy.length >> 1]! ^ 1; // one bit of a core module
      return copy;
    },
    (bytes: Buffer) => {
      const copy = Buffer.from(bytes);
      copy[0] = copy[0]! ^ 1; // the digest itself
      return copy;
    },
  ]) {
    writeFileSync(entry, damage(good));
    clearComponentCaches();
    const again = await transpileComponent(digestComponent);
    assert.equal(again.from, 'jco');
    assert.deepEqual(readFileSync(entry), good);
    clearComponentCaches();
    assert.equal((await transpileComponent(digestComponent)).from, 'disk cache');
  }
});

test('another component’s entry under this component’s name is refused', async () => {
  clearComponentCaches();
  const digest = await transpileComponent(digestComponent);
  const probe = await transpileComponent(probeComponent);
  const probeEntry = entryOf(probe.hash);
  const good = readFileSync(probeEntry);
  // A whole, valid entry (its digest holds) of another component, put in place of this one's.
  copyFileSync(entryOf(digest.hash), probeEntry);
  clearComponentCaches();
  const again = await transpileComponent(probeComponent);
  assert.equal(again.from, 'jco');
  assert.equal(again.glue, probe.glue);
  assert.deepEqual(readFileSync(probeEntry), good);
});

// Copy-back of writable mounts to the host (`vc run --output`/`--dir`): symbolic links already in
// the host folder are never followed nor replaced, nothing leaves the folder, and names the host
// cannot hold are refused before anything is written.
import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  linkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isVcError, type ErrorCode } from '../../protocol/index.js';
import { Vfs } from '../vfs/vfs.js';
import { loadMount, mountRights, saveMount, type DirMount } from './host-dirs.js';

const work = mkdtempSync(join(tmpdir(), 'vc-host-dirs-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

/** A fresh host output folder, a folder outside it holding a victim file, and a mount of the first. */
function setup(): { out: string; outside: string; victim: string; mount: DirMount } {
  const base = join(work, String(n++));
  const out = join(base, 'out');
  const outside = join(base, 'outside');
  mkdirSync(out, { recursive: true });
  mkdirSync(outside);
  const victim = join(outside, 'victim');
  writeFileSync(victim, 'host secret');
  return { out, outside, victim, mount: { hostDir: out, guestPath: '/output', readOnly: false } };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const refused = (code: ErrorCode) => (e: unknown) => isVcError(e, code);

test('a symbolic link to a file in the output folder is neither followed nor replaced', () => {
  const { out, victim, mount } = setup();
  symlinkSync(victim, join(out, 'a.txt'));
  const vfs = new Vfs();
  vfs.writeUnchecked('/output/a.txt', bytes('guest bytes'));
  assert.throws(() => saveMount(vfs, mount), refused('ERR_OUTPUT_SYMLINK'));
  assert.equal(readFileSync(victim, 'utf8'), 'host secret');
  assert.ok(lstatSync(join(out, 'a.txt')).isSymbolicLink());
  assert.equal(readlinkSync(join(out, 'a.txt')), victim);
});

test('a symbolic link to a folder outside is not entered, and nothing else is written', () => {
  const { out, outside, mount } = setup();
  symlinkSync(outside, join(out, 'sub'));
  const vfs = new Vfs();
  vfs.writeUnchecked('/output/a-first.txt', bytes('first'));
  vfs.writeUnchecked('/output/sub/planted', bytes('guest bytes'));
  vfs.writeUnchecked('/output/sub/victim', bytes('guest bytes'));
  assert.throws(() => saveMount(vfs, mount), refused('ERR_OUTPUT_SYMLINK'));
  assert.deepEqual(readdirSync(outside), ['victim']);
  assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'host secret');
  assert.deepEqual(readdirSync(out), ['sub'], 'checked before writing: a-first.txt not written');
});

test('a dangling symbolic link is not followed to create a file outside', () => {
  const { out, outside, mount } = setup();
  symlinkSync(join(outside, 'created'), join(out, 'x'));
  const vfs = new Vfs();
  vfs.writeUnchecked('/output/x', bytes('guest bytes'));
  assert.throws(() => saveMount(vfs, mount), refused('ERR_OUTPUT_SYMLINK'));
  assert.deepEqual(readdirSync(outside), ['victim']);
});

// The virtual file system refuses such names and depths itself (the execution budget); copy-back
// must refuse them on its own too, so these file systems are built with wider limits.
const wide = { maxNameBytes: 4096, maxDepth: 8192 };

test('a name longer than the host holds is refused with nothing half-written', () => {
  const { out, mount } = setup();
  const vfs = new Vfs(wide);
  vfs.writeUnchecked('/output/a.txt', bytes('fine'));
  vfs.writeUnchecked(`/output/${'n'.repeat(256)}`, bytes('too long'));
  assert.throws(() => saveMount(vfs, mount), refused('ERR_OUTPUT_NAME'));
  assert.deepEqual(readdirSync(out), []);
  // 255 bytes is fine; so is a multi-byte name whose UTF-8 form fits, but not one beyond it
  const ok = new Vfs();
  ok.writeUnchecked(`/output/${'n'.repeat(255)}`, bytes('ok'));
  assert.equal(saveMount(ok, mount).length, 1);
  const multibyte = new Vfs(wide);
  multibyte.writeUnchecked(`/output/${'é'.repeat(128)}`, bytes('256 bytes'));
  assert.throws(() => saveMount(multibyte, mount), refused('ERR_OUTPUT_NAME'));
});

test('a path deeper than the host holds, or a file where a folder is, is refused', () => {
  const { out, mount } = setup();
  const deep = new Vfs(wide);
  deep.writeUnchecked(`/output/${Array.from({ length: 2100 }, () => 'd').join('/')}`, bytes('x'));
  assert.throws(() => saveMount(deep, mount), refused('ERR_OUTPUT_NAME'));
  assert.deepEqual(readdirSync(out), []);
  writeFileSync(join(out, 'plain'), 'host file');
  const clash = new Vfs();
  clash.writeUnchecked('/output/plain/inner', bytes('x'));
  assert.throws(() => saveMount(clash, mount), refused('ERR_OUTPUT_NAME'));
  assert.equal(readFileSync(join(out, 'plain'), 'utf8'), 'host file');
});

test('an existing file is replaced, not written through: a hard link elsewhere keeps its bytes', () => {
  const { out, victim, mount } = setup();
  linkSync(victim, join(out, 'linked'));
  mkdirSync(join(out, 'real'));
  const vfs = new Vfs();
  vfs.writeUnchecked('/output/linked', bytes('guest bytes'));
  vfs.writeUnchecked('/output/real/deeper/f', bytes('nested'));
  assert.deepEqual(saveMount(vfs, mount).sort(), [
    join(out, 'linked'),
    join(out, 'real', 'deeper', 'f'),
  ]);
  assert.equal(readFileSync(join(out, 'linked'), 'utf8'), 'guest bytes');
  assert.equal(readFileSync(victim, 'utf8'), 'host secret');
  assert.equal(readFileSync(join(out, 'real', 'deeper', 'f'), 'utf8'), 'nested');
  assert.deepEqual(readdirSync(out).sort(), ['linked', 'real'], 'no temporary file left');
});

test('a host folder copied in keeps its symbolic links as links and its hard links as one file', () => {
  const host = join(work, 'links-in');
  mkdirSync(join(host, 'sub'), { recursive: true });
  writeFileSync(join(host, 'a.txt'), 'shared');
  linkSync(join(host, 'a.txt'), join(host, 'sub', 'b.txt'));
  symlinkSync('a.txt', join(host, 'c'));
  symlinkSync('/etc/passwd', join(host, 'absolute'));
  symlinkSync('../../outside', join(host, 'sub', 'up'));
  const vfs = new Vfs();
  const mount: DirMount = { hostDir: host, guestPath: '/in', readOnly: true };
  loadMount(vfs, mount);
  const rights = mountRights([mount]);
  const kinds = vfs
    .snapshot(rights)
    .entries.map((e) => `${e.path} ${e.kind}${e.target === undefined ? '' : ` ${e.target}`}`)
    .sort();
  const named = (path: string): string | undefined => kinds.find((k) => k.startsWith(`${path} `));
  // the targets are kept as text: the WASI host refuses the absolute one and the one climbing out
  // of the guest's directory fd when a guest follows them (enclave/runner/rights.test.ts)
  assert.equal(named('/in/c'), '/in/c symlink a.txt');
  assert.equal(named('/in/absolute'), '/in/absolute symlink /etc/passwd');
  assert.equal(named('/in/sub/up'), '/in/sub/up symlink ../../outside');
  // one of the two names carries the bytes, the other is a link to it
  const names = [named('/in/a.txt'), named('/in/sub/b.txt')].sort();
  assert.ok(
    names.some((k) => k?.endsWith(' file')) && names.some((k) => / link \/in\//.test(k ?? '')),
    names.join(', '),
  );
  assert.equal(new TextDecoder().decode(vfs.readUnchecked('/in/sub/b.txt')), 'shared');
  // a symbolic link is never read or written as a file by the host side
  assert.throws(() => vfs.readUnchecked('/in/c'), refused('ERR_BAD_PATH'));
});

// The one path normaliser (paths.ts). Its refusal is checked here and where each reader of paths
// meets it: the rights lookup (rights.test.ts), policy parsing (parse-policy.test.ts), message
// validation (protocol/messages/validate.test.ts) and the virtual file system (enclave/vfs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  PSEUDO_FILES,
  canonicalPathProblem,
  isPseudoFile,
  isUnder,
  joinPath,
  normalizePath,
  resolveBeneath,
  splitPath,
} from './paths.js';

const badPath = (error: { code?: string }) => error.code === 'ERR_BAD_PATH';

test('. and repeated or trailing slashes fold; .. removes the segment before it', () => {
  assert.equal(normalizePath('a/./b//c'), '/a/b/c');
  assert.equal(normalizePath('/a//b/./c/../d/'), '/a/b/d');
  assert.equal(normalizePath('//a//b/../c/'), '/a/c');
  assert.equal(normalizePath('/input/./../input/ok'), '/input/ok');
  assert.equal(normalizePath('/'), '/');
  assert.equal(normalizePath('/a/..'), '/');
  assert.equal(normalizePath('./a'), '/a');
});

test('a relative path is read from the root', () => {
  assert.equal(normalizePath('input/x'), '/input/x');
  assert.equal(normalizePath('.'), '/');
});

test('.. above the root is refused with ERR_BAD_PATH, never clamped', () => {
  for (const path of ['/input/../../etc', '/input/./../../input/ok', '/../..', '..', 'a/../../b']) {
    assert.throws(() => normalizePath(path), badPath, path);
    assert.throws(() => splitPath(path), badPath, path);
  }
  assert.throws(
    () => normalizePath('/input/../../etc'),
    (error: { details?: { reason?: string } }) =>
      error.details?.reason === '.. goes above the root',
  );
});

test('empty paths and NUL are refused with ERR_BAD_PATH', () => {
  assert.throws(() => normalizePath(''), badPath);
  assert.throws(() => normalizePath('/a\0b'), badPath);
});

test('stdin, stdout and stderr are pseudo files, spelt exactly; /stdout is an ordinary file', () => {
  assert.deepEqual(PSEUDO_FILES, ['stdin', 'stdout', 'stderr']);
  for (const name of PSEUDO_FILES) {
    assert.ok(isPseudoFile(name));
    assert.equal(normalizePath(name), name);
    assert.throws(() => splitPath(name), badPath, 'a pseudo file is not in the tree');
  }
  assert.equal(isPseudoFile('/stdout'), false);
  assert.equal(isPseudoFile('stdinx'), false);
  assert.equal(normalizePath('/stdout'), '/stdout');
  assert.equal(normalizePath('stdout/'), '/stdout');
});

test('splitPath and joinPath', () => {
  assert.deepEqual(splitPath('/'), []);
  assert.deepEqual(splitPath('/a//b/../c'), ['a', 'c']);
  assert.equal(joinPath([]), '/');
  assert.equal(joinPath(['a', 'c']), '/a/c');
});

test('canonical paths: what messages carry and policies name', () => {
  for (const path of ['/', '/a', '/program/a.wasm', 'stdin', '/stdout']) {
    assert.equal(canonicalPathProblem(path), undefined, path);
  }
  for (const path of ['/a/', '//a', '/./a', '/a/../b', 'a', '']) {
    assert.ok(canonicalPathProblem(path), path);
  }
  assert.match(canonicalPathProblem('/input/../../etc') ?? '', /above the root/);
});

test('resolveBeneath: the base directory stands for the root', () => {
  assert.equal(resolveBeneath('/input', 'a/./b'), '/input/a/b');
  assert.equal(resolveBeneath('/input', 'a/..'), '/input');
  assert.equal(resolveBeneath('/', 'stdout'), '/stdout');
  assert.throws(() => resolveBeneath('/input', '..'), badPath);
  // Leaving the base and coming back is an escape too.
  assert.throws(() => resolveBeneath('/input', '../input/a'), badPath);
});

test('isUnder compares whole segments', () => {
  assert.ok(isUnder('/output/x', '/output'));
  assert.ok(isUnder('/output', '/output'));
  assert.ok(isUnder('/x', '/'));
  assert.equal(isUnder('/outputs', '/output'), false);
  assert.equal(isUnder('stdout', '/'), false);
});

test('property: normalising is idempotent and its result is canonical', () => {
  const segment = fc.constantFrom('a', 'b', '.', '..', '', 'stdout');
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 8 }), fc.boolean(), (parts, rooted) => {
      const path = `${rooted ? '/' : ''}${parts.join('/')}`;
      let normal: string;
      try {
        normal = normalizePath(path);
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'ERR_BAD_PATH');
        return;
      }
      assert.equal(normalizePath(normal), normal);
      assert.equal(canonicalPathProblem(normal), undefined);
    }),
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { errorCatalog, errorCodes, familyOf, isErrorCode, meaningOf } from './error-codes.js';
import { ProtocolError } from './messages/errors.js';
import { VcError } from './errors.js';

const root = new URL('..', import.meta.url).pathname;

/** Node's own codes that the CLI recognises on errors Node throws (not ours, so not in the catalog). */
const nodeCodes = new Set(['ERR_PARSE_ARGS']);

interface DocRow {
  readonly code: string;
  readonly family: string;
  readonly meaning: string;
}

/** The rows of the table in docs/errors.md: `| \`ERR_X\` | family | meaning | raised by | exit |`. */
function documentedCodes(): DocRow[] {
  const text = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  return text
    .split('\n')
    .filter((line) => /^\|\s*`ERR_/.test(line))
    .map((line) => {
      const [code = '', family = '', meaning = ''] = line
        .split('|')
        .slice(1)
        .map((cell) => cell.trim());
      return { code: code.replace(/`/g, ''), family, meaning };
    });
}

/** Source files outside node_modules, tests excluded: where a code is raised. */
function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.'))
        found.push(...sourceFiles(join(dir, entry.name)));
    } else if (/\.(ts|mts|js|mjs|cjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
      found.push(join(dir, entry.name));
    }
  }
  return found;
}

test('every code is one ERR_* name in exactly one family', () => {
  const all = Object.values(errorCatalog).flatMap((codes) => Object.keys(codes));
  assert.equal(new Set(all).size, all.length, 'a code is listed twice');
  assert.deepEqual([...errorCodes].sort(), [...all].sort());
  for (const code of errorCodes) {
    assert.match(code, /^ERR_[A-Z0-9_]+$/);
    assert.ok(meaningOf(code).length > 0, code);
  }
  assert.equal(familyOf('ERR_ACCESS_DENIED'), 'protocol');
  assert.equal(familyOf('ERR_TIMEOUT'), 'transport');
  assert.equal(isErrorCode('ERR_USAGE'), true);
  assert.equal(isErrorCode('ERR_NO_SUCH_CODE'), false);
  assert.equal(isErrorCode('toString'), false);
});

test('docs/errors.md lists exactly the catalog, with its families and meanings', () => {
  const rows = documentedCodes();
  const documented = rows.map((row) => row.code);
  assert.equal(new Set(documented).size, documented.length, 'a code is documented twice');
  const missing = errorCodes.filter((code) => !documented.includes(code));
  const unknown = documented.filter((code) => !isErrorCode(code));
  assert.deepEqual(missing, [], 'catalog codes missing from docs/errors.md');
  assert.deepEqual(unknown, [], 'codes in docs/errors.md that are not in the catalog');
  for (const row of rows) {
    if (!isErrorCode(row.code)) continue;
    assert.equal(row.family, familyOf(row.code), `family of ${row.code}`);
    assert.equal(row.meaning, meaningOf(row.code), `meaning of ${row.code}`);
  }
});

test('every ERR_* string literal in the sources is a catalog code', () => {
  const strays: string[] = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(['"`])(ERR_[A-Z0-9_]+)\1/g)) {
      const code = match[2] as string;
      if (!isErrorCode(code) && !nodeCodes.has(code))
        strays.push(`${relative(root, file)}: ${code}`);
    }
  }
  assert.deepEqual(strays, []);
});

test('fromWire keeps a catalog code and its details', () => {
  const error = VcError.fromWire({
    code: 'ERR_NO_RESULT',
    message: 'none',
    details: { path: '/o' },
  });
  assert.equal(error.code, 'ERR_NO_RESULT');
  assert.equal(error.message, 'none');
  assert.deepEqual(error.details, { path: '/o' });
  assert.deepEqual(error.toWire(), {
    code: 'ERR_NO_RESULT',
    message: 'none',
    details: { path: '/o' },
  });
});

test('fromWire turns a code outside the catalog into ERR_REMOTE, keeping the original', () => {
  const error = VcError.fromWire({
    code: 'ERR_FROM_THE_FUTURE',
    message: 'newer peer',
    details: { reason: 'x' },
  });
  assert.equal(error.code, 'ERR_REMOTE');
  assert.equal(error.message, 'newer peer');
  assert.deepEqual(error.details, {
    remoteCode: 'ERR_FROM_THE_FUTURE',
    remoteDetails: { reason: 'x' },
  });
  const bare = VcError.fromWire({ code: 'not even ERR', message: 'm' });
  assert.deepEqual(bare.toWire(), {
    code: 'ERR_REMOTE',
    message: 'm',
    details: { remoteCode: 'not even ERR' },
  });
});

test('fromWire on a subclass builds that subclass', () => {
  const known = ProtocolError.fromWire({ code: 'ERR_WRONG_PHASE', message: 'not ready' });
  assert.ok(known instanceof ProtocolError);
  assert.equal(known.code, 'ERR_WRONG_PHASE');
  const unknown = ProtocolError.fromWire({ code: 'ERR_SOMETHING_ELSE', message: 'm' });
  assert.ok(unknown instanceof ProtocolError);
  assert.equal(unknown.code, 'ERR_REMOTE');
});

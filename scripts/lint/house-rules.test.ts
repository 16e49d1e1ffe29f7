// The house rules fire: each test plants one violation and lints it with the project's own ESLint
// configuration (eslint.config.js), asserting the rule that refuses it. docs/architecture.md.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function rulesFiredOn(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

test('a deep import into another folder is refused: go through its face', async () => {
  const fired = await rulesFiredOn(
    'actors/planted.mjs',
    "import { rightsAt } from '../protocol/policy/rights.js';\nexport { rightsAt };\n",
  );
  assert.deepEqual(fired, ['house/faces']);
});

test("the same import through the folder's face passes", async () => {
  const fired = await rulesFiredOn(
    'actors/planted.mjs',
    "import { rightsAt } from '../protocol/index.js';\nexport { rightsAt };\n",
  );
  assert.deepEqual(fired, []);
});

test('an import from a lower layer to a higher one is refused', async () => {
  const fired = await rulesFiredOn(
    'protocol/planted.mjs',
    "import { startSystem } from '../actors/index.js';\nexport { startSystem };\n",
  );
  assert.deepEqual(fired, ['house/layers']);
});

test('attestation sits on transport (layer 1b): it may import transport, not the other way', async () => {
  assert.deepEqual(
    await rulesFiredOn(
      'attestation/planted.mjs',
      "import { MemoryStore } from '../transport/index.js';\nexport { MemoryStore };\n",
    ),
    [],
  );
  assert.deepEqual(
    await rulesFiredOn(
      'transport/planted.mjs',
      "import { Verifier } from '../attestation/index.js';\nexport { Verifier };\n",
    ),
    ['house/layers'],
  );
});

test('production code may not import test helpers', async () => {
  const fired = await rulesFiredOn(
    'actors/planted.mjs',
    "import { requireResource } from '../test-support/requirements.js';\nexport { requireResource };\n",
  );
  assert.ok(fired.includes('house/faces'), fired.join(', '));
  assert.ok(fired.includes('house/layers'), fired.join(', '));
});

test('tests may import test helpers', async () => {
  const fired = await rulesFiredOn(
    'actors/planted.test.mjs',
    "import { requireResource } from '../test-support/requirements.js';\nexport { requireResource };\n",
  );
  assert.deepEqual(fired, []);
});

test('an import that closes a cycle is refused', async () => {
  // protocol/errors.ts imports protocol/error-codes.ts; error-codes importing errors closes a cycle.
  const fired = await rulesFiredOn(
    'protocol/error-codes.ts',
    "import { VcError } from './errors.js';\nexport { VcError };\n",
  );
  assert.deepEqual(fired, ['house/no-cycle']);
});

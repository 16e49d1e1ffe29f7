import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizePipeline, parsePipeline, pipelinePrograms, printPipeline } from './pipeline.js';
import type { PipelineExpr } from './types.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

const A: PipelineExpr = { kind: 'program', path: '/program/a.wasm' };
const B: PipelineExpr = { kind: 'program', path: '/program/b.wasm' };

test("parses Veracruz's example pipeline", () => {
  const text =
    '/program/example-binary.wasm ; if /output/first.dat { /program/example-binary.wasm ; }';
  const program: PipelineExpr = { kind: 'program', path: '/program/example-binary.wasm' };
  assert.deepEqual(parsePipeline(text), {
    kind: 'seq',
    steps: [program, { kind: 'if', condition: '/output/first.dat', then: program }],
  });
  assert.equal(
    printPipeline(parsePipeline(text)),
    '/program/example-binary.wasm ; if /output/first.dat { /program/example-binary.wasm }',
  );
});

test('if/else, nesting, grouping braces, empty branches and a trailing ;', () => {
  assert.deepEqual(parsePipeline('/program/a.wasm'), A);
  assert.deepEqual(parsePipeline('  /program/a.wasm ;  '), A);
  assert.deepEqual(parsePipeline('{ /program/a.wasm ; { /program/b.wasm } }'), {
    kind: 'seq',
    steps: [A, B],
  });
  assert.deepEqual(
    parsePipeline('if /x { /program/a.wasm } else { if /y { } else { /program/b.wasm } }'),
    {
      kind: 'if',
      condition: '/x',
      then: A,
      else: { kind: 'if', condition: '/y', then: { kind: 'seq', steps: [] }, else: B },
    },
  );
  assert.deepEqual(pipelinePrograms(parsePipeline('a ; if /c { b ; a } else { c }')), [
    'a',
    'b',
    'c',
  ]);
});

test('malformed pipelines are refused with ERR_POLICY_BAD_PIPELINE', () => {
  for (const text of [
    '',
    '   ',
    '{ }',
    ';',
    '/a.wasm ; ; /b.wasm',
    '/a.wasm /b.wasm',
    'if { /a.wasm }',
    'if /x /a.wasm',
    'if /x { /a.wasm',
    '/a.wasm }',
    'else { /a.wasm }',
    'if /x { /a.wasm } else /b.wasm',
    '/a.wasm;',
    '/a.wasm;/b.wasm',
    '/dir/',
    '//a',
    'if if { /a }',
    'if /x { /a } ; else { /b }',
    `${'{ '.repeat(40)}/a${' }'.repeat(40)}`,
    '/a'.repeat(40000),
  ]) {
    assert.equal(
      codeOf(() => parsePipeline(text)),
      'ERR_POLICY_BAD_PIPELINE',
      JSON.stringify(text.slice(0, 60)),
    );
  }
});

test('the printer refuses trees it cannot print faithfully', () => {
  assert.equal(
    codeOf(() => printPipeline({ kind: 'program', path: 'has space' })),
    'ERR_POLICY_BAD_PIPELINE',
  );
  assert.equal(
    codeOf(() => printPipeline({ kind: 'program', path: 'else' })),
    'ERR_POLICY_BAD_PIPELINE',
  );
  assert.equal(
    codeOf(() => printPipeline({ kind: 'if', condition: '/a;', then: A })),
    'ERR_POLICY_BAD_PIPELINE',
  );
  assert.equal(
    codeOf(() => printPipeline({ kind: 'seq', steps: [] })),
    'ERR_POLICY_BAD_PIPELINE',
  );
});

const segment = fc.stringMatching(/^[a-z0-9._-]{1,8}$/).filter((s) => s !== 'if' && s !== 'else');
const pathArb = fc
  .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 3 }))
  .map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`);

const treeArb: fc.Arbitrary<PipelineExpr> = fc.letrec<{ expr: PipelineExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    pathArb.map((path): PipelineExpr => ({ kind: 'program', path })),
    fc.array(tie('expr'), { maxLength: 4 }).map((steps): PipelineExpr => ({ kind: 'seq', steps })),
    fc
      .tuple(pathArb, tie('expr'), fc.option(tie('expr'), { nil: undefined }))
      .map(([condition, then, otherwise]): PipelineExpr =>
        otherwise === undefined
          ? { kind: 'if', condition, then }
          : { kind: 'if', condition, then, else: otherwise },
      ),
  ),
})).expr;

function isEmpty(tree: PipelineExpr): boolean {
  return tree.kind === 'seq' && tree.steps.length === 0;
}

test('property: print then parse gives back the (normalised) tree', () => {
  fc.assert(
    fc.property(treeArb, (tree) => {
      const normal = normalizePipeline(tree);
      fc.pre(!isEmpty(normal));
      assert.deepEqual(parsePipeline(printPipeline(tree)), normal);
      // Normal forms are fixed points: printing and parsing them changes nothing.
      assert.deepEqual(parsePipeline(printPipeline(normal)), normal);
    }),
    { numRuns: 500 },
  );
});

test('property: parse then print then parse is stable on generated texts', () => {
  fc.assert(
    fc.property(treeArb, (tree) => {
      fc.pre(!isEmpty(normalizePipeline(tree)));
      const text = printPipeline(tree);
      assert.equal(printPipeline(parsePipeline(text)), printPipeline(normalizePipeline(tree)));
    }),
    { numRuns: 300 },
  );
});

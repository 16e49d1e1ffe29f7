// `vc scenario new NAME`: a scenario file and its TypeScript module that run as they are (a data
// owner's private points, an analyst's linear regression, the result checked against the SDK
// example's reference and decoded for the report), to be edited from there
// (docs/writing-a-scenario.md). The files name this installation's schema and SDK by absolute path.
import { fileURLToPath } from 'node:url';

const SDK = fileURLToPath(new URL('../../sdk/index.ts', import.meta.url));
const SCHEMA = fileURLToPath(new URL('../../docs/scenario.schema.json', import.meta.url));

/** File name -> text of a new scenario called `name` (kebab-case). */
export function scaffoldScenario(name: string): Record<string, string> {
  const yaml = `# yaml-language-server: $schema=${SCHEMA}
# A scenario: who takes part, with which rights, what they provide, in which rounds, and what the
# results must be. Run it with: npx vc scenario run ${name}.yaml [--nats URL] [--processes]
# Written for docs/writing-a-scenario.md; the schema is docs/scenario.schema.json.
name: ${name}
title: Linear regression over a data owner's private points
summary: >-
  A data owner provisions private (x, y) points; an analyst provides the regression program, runs
  it and reads only the fitted line.
module: ./${name}.ts
parties:
  - name: data-owner
    role: provides 200 private points
    capabilities: ['/input/:w']
  - name: analyst
    role: provides and runs the program, reads the line
    capabilities: ['/program/:wx', '/output/:r']
programs:
  - path: /program/linear-regression.wasm
    example: linear-regression # an SDK example's committed program; or file: ./my-program.wasm
    capabilities: ['/input/:r', '/output/:w']
sources:
  analyst:
    wasm: { program: /program/linear-regression.wasm }
  data-owner:
    points: { example: linear-regression, size: 200, path: /input/linear-regression.dat }
rounds:
  - - party: analyst
      steps:
        - { op: program, path: /program/linear-regression.wasm, source: wasm }
    - party: data-owner
      steps:
        - { op: data, path: /input/linear-regression.dat, source: points }
  - - party: analyst
      steps:
        - { op: compute, program: /program/linear-regression.wasm }
        - { op: result, path: /output/linear-regression.dat, destination: line }
        - { op: shutdown }
expect:
  - party: analyst
    result: line
    example: linear-regression
    output: /output/linear-regression.dat
`;
  const module = `// What ${name}.yaml cannot say: how to read the line for the report, and a check in words.
import type { ScenarioModule } from '${SDK}';
import { readF64s } from '${SDK}';

const scenario: ScenarioModule = {
  decode(_party, label, bytes) {
    if (label !== 'line') return undefined;
    const [gradient, intercept] = readF64s(bytes);
    return { gradient, intercept };
  },
  check(results) {
    const line = results.get('analyst')?.get('line');
    if (!line) return { ok: false, headline: 'the analyst read no line' };
    const [gradient = NaN, intercept = NaN] = readF64s(line);
    return {
      ok: Number.isFinite(gradient) && Number.isFinite(intercept),
      headline: \`fitted line y = \${gradient.toFixed(4)} x + \${intercept.toFixed(4)}\`,
    };
  },
};

export default scenario;
`;
  return { [`${name}.yaml`]: yaml, [`${name}.ts`]: module };
}

// The schema of a scenario file (docs/writing-a-scenario.md): a use case written as YAML or JSON
// outside the repository. Written once, as checks of protocol/'s schema language, so the TypeScript
// type of a file and its published JSON Schema (docs/scenario.schema.json, compared with
// `scenarioFileSchema()` by a test) come from the same definition.
import {
  arrayOf,
  type Check,
  described,
  type Infer,
  jsonSchemaOf,
  type JsonSchema,
  literal,
  obj,
  oneOf,
  str,
  uint,
} from '../../protocol/index.js';

/** Names of parties, labels of sources and results: they become file names in a deployment. */
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LABEL = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** An absolute guest path (the policy checks its form again when the policy is built). */
const GUEST_PATH = /^\/[^\u0000-\u001f]*$/;
/** A file relative to the scenario file's folder (or absolute). */
const FILE = /^[^\u0000-\u001f]+$/;
const HEX = /^([0-9a-f]{2})*$/;

const name = str(63, NAME);
const label = str(63, LABEL);
const guestPath = str(4096, GUEST_PATH);
const file = str(4096, FILE);
const capabilities = arrayOf(str(4200), 256);

/** Exactly one of several object shapes (each closed, so at most one admits a value). */
function anyOf<C extends readonly Check<object>[]>(...checks: C): Check<Infer<C[number]>> {
  return described<Check<Infer<C[number]>>>(
    (value, at) => {
      const problems = checks.map((check) => check(value, at));
      if (problems.some((p) => p === undefined)) return undefined;
      // The problem of the branch that got furthest: the one naming the deepest location.
      return problems.sort((a, b) => (b?.length ?? 0) - (a?.length ?? 0))[0];
    },
    () => ({ oneOf: checks.map((check) => jsonSchemaOf(check)) }),
  );
}

const party = obj({ name, capabilities }, { role: str(200) });

const program = anyOf(
  obj({ path: guestPath, file, capabilities }),
  obj({ path: guestPath, example: name, capabilities }),
);

const pipeline = obj({ pipeline: str(4096), capabilities });

/** Where a source's bytes come from. */
const source = anyOf(
  obj({ file }),
  obj({ text: str(1 << 20) }),
  obj({ hex: str(1 << 21, HEX) }),
  /** A program of the scenario, by its guest path. */
  obj({ program: guestPath }),
  /** One file of an SDK example's seeded generator (`size` records, the run's seed). */
  obj({ example: name, size: uint(10_000_000), path: guestPath }),
);

const step = anyOf(
  obj({ op: literal('program'), path: guestPath, source: label }),
  obj({ op: literal('data'), path: guestPath, source: label }, { mode: oneOf('write', 'append') }),
  obj({ op: literal('compute'), program: guestPath }),
  obj({ op: literal('pipeline'), pipeline: str(4096) }),
  obj({ op: literal('result'), path: guestPath, destination: label }),
  obj({ op: literal('shutdown') }),
);

const turn = obj({ party: name, steps: arrayOf(step, 1024) });

/** What one party must have read into one destination. */
const expectation = anyOf(
  obj({ party: name, result: label, file }),
  obj({ party: name, result: label, text: str(1 << 20) }),
  obj({ party: name, result: label, hex: str(1 << 21, HEX) }),
  obj({ party: name, result: label, sha256: str(64, /^[0-9a-f]{64}$/) }),
  /** An SDK example's reference output over the scenario's example-generated sources. */
  obj({ party: name, result: label, example: name, output: guestPath }),
);

export const scenarioFile = obj(
  {
    name,
    title: str(200),
    summary: str(2000),
    parties: arrayOf(party, 256),
    programs: arrayOf(program, 64),
    rounds: arrayOf(arrayOf(turn, 256), 1024),
  },
  {
    $schema: str(4096),
    pipelines: arrayOf(pipeline, 64),
    /** Party -> label -> where the bytes come from. */
    sources: described<
      Check<Readonly<Record<string, Readonly<Record<string, Infer<typeof source>>>>>>
    >(
      (value, at) =>
        mapProblem(value, at, NAME, (inner, where) => mapProblem(inner, where, LABEL, source)),
      () => ({
        type: 'object',
        propertyNames: { pattern: NAME.source },
        additionalProperties: {
          type: 'object',
          propertyNames: { pattern: LABEL.source },
          additionalProperties: jsonSchemaOf(source),
        },
      }),
    ),
    expect: arrayOf(expectation, 1024),
    /** A TypeScript (or JavaScript) module beside the file, for what the file cannot say. */
    module: file,
  },
);

export type ScenarioFile = Infer<typeof scenarioFile>;
export type SourceSpec = Infer<typeof source>;
export type Expectation = Infer<typeof expectation>;

function mapProblem(
  value: unknown,
  at: string,
  keys: RegExp,
  each: (value: unknown, at: string) => string | undefined,
): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${at} must be an object`;
  for (const [key, inner] of Object.entries(value)) {
    if (!keys.test(key)) return `${at}.${key} is not a well-formed name`;
    const problem = each(inner, `${at}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

/** The published JSON Schema of a scenario file (docs/scenario.schema.json). */
export function scenarioFileSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Veracruz-TS scenario file',
    description:
      'A use case written outside the repository: parties and their rights, programs, sources, rounds of steps and expected results (docs/writing-a-scenario.md).',
    ...jsonSchemaOf(scenarioFile),
  };
}

// A scenario written outside the repository (docs/writing-a-scenario.md): a YAML or JSON file
// checked against docs/scenario.schema.json (scenarios/file/schema.ts), then against itself (every
// party, source, program and result a step or an expectation names exists), its files read and its
// optional TypeScript module loaded, and turned into the same `Scenario` the catalog's use cases
// are, so that it runs in every mode with the same journal and report.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { sha256Hex } from '../../protocol/index.js';
import {
  exampleNamed,
  type ExampleRun,
  type ModuleVerdict,
  type ScenarioModule,
} from '../../sdk/index.js';
import { ScenarioError } from '../errors.js';
import type {
  PartyResults,
  ProgramSpec,
  Scenario,
  ScenarioPlan,
  Turn,
  Verdict,
} from '../scenario.js';
import { sameBytes, show } from '../use-cases/support.js';
import { scenarioFile, type Expectation, type ScenarioFile, type SourceSpec } from './schema.js';

const invalid = (file: string, message: string, cause?: unknown): ScenarioError =>
  new ScenarioError('ERR_SCENARIO_FILE_INVALID', `${file}: ${message}`, {
    details: { file },
    ...(cause === undefined ? {} : { cause }),
  });

/** Reads, checks and loads the scenario file at `path` (and its module, when it names one). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalid(
      path,
      `cannot read it: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      error,
    );
  }
  let value: unknown;
  try {
    value = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw invalid(
      path,
      `not ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
      error,
    );
  }
  const problem = scenarioFile(value, '$');
  if (problem) throw invalid(path, `${problem} (docs/scenario.schema.json)`);
  const spec = value as ScenarioFile;
  checkConsistent(path, spec);
  const here = dirname(file);
  const read = (name: string): Uint8Array => {
    const target = isAbsolute(name) ? name : resolve(here, name);
    try {
      return new Uint8Array(readFileSync(target));
    } catch (error) {
      throw invalid(
        path,
        `cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        error,
      );
    }
  };
  const programs: ProgramSpec[] = spec.programs.map((p) => ({
    path: p.path,
    wasm:
      'file' in p
        ? read(p.file)
        : new Uint8Array(readFileSync(exampleOr(path, p.example).wasmPath)),
    capabilities: p.capabilities,
  }));
  // Files are read once, now: every plan of this scenario (one per seed) uses the same bytes.
  const fileSources = new Map<string, Uint8Array>();
  for (const sources of Object.values(spec.sources ?? {}))
    for (const s of Object.values(sources)) if ('file' in s) fileSources.set(s.file, read(s.file));
  const expectedFiles = new Map<string, Uint8Array>();
  for (const e of spec.expect ?? []) if ('file' in e) expectedFiles.set(e.file, read(e.file));
  const module =
    spec.module === undefined ? undefined : await loadModule(path, resolve(here, spec.module));
  if (!spec.expect?.length && !module?.check)
    throw invalid(
      path,
      'nothing checks the results: give `expect` entries or a module with check()',
    );
  return {
    name: spec.name,
    title: spec.title,
    summary: spec.summary,
    source: file,
    plan: (seed) => planOf(path, spec, seed, programs, fileSources, expectedFiles, module),
  };
}

function exampleOr(path: string, name: string) {
  try {
    return exampleNamed(name);
  } catch (error) {
    throw invalid(path, (error as Error).message, error);
  }
}

async function loadModule(path: string, file: string): Promise<ScenarioModule> {
  let loaded: { default?: unknown };
  try {
    if (/\.[cm]?tsx?$/.test(file)) {
      const { tsImport } = await import('tsx/esm/api');
      loaded = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
    } else loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw invalid(
      path,
      `cannot load its module ${file}: ${(error as Error).message.split('\n')[0]}`,
      error,
    );
  }
  // A .ts file outside any package with "type": "module" loads as CommonJS: its default export is
  // then the `default` of the namespace's default.
  const outer = loaded.default as { default?: unknown; __esModule?: unknown } | undefined;
  const module = outer && typeof outer === 'object' && 'default' in outer ? outer.default : outer;
  if (typeof module !== 'object' || module === null)
    throw invalid(path, `its module ${file} has no default export (a ScenarioModule)`);
  for (const key of ['sources', 'check', 'decode'] as const) {
    const member = (module as Record<string, unknown>)[key];
    if (member !== undefined && typeof member !== 'function')
      throw invalid(path, `its module's ${key} is not a function`);
  }
  return module as ScenarioModule;
}

/** Every name a step or an expectation uses is defined: parties, programs' sources, results. */
function checkConsistent(path: string, spec: ScenarioFile): void {
  const parties = new Set<string>();
  for (const p of spec.parties) {
    if (parties.has(p.name)) throw invalid(path, `party ${p.name} is named twice`);
    parties.add(p.name);
  }
  const programs = new Set(spec.programs.map((p) => p.path));
  for (const [party, sources] of Object.entries(spec.sources ?? {})) {
    if (!parties.has(party)) throw invalid(path, `sources of ${party}, who is no party`);
    for (const [label, s] of Object.entries(sources))
      if ('program' in s && !programs.has(s.program))
        throw invalid(
          path,
          `source ${party}/${label} names no program of the scenario: ${s.program}`,
        );
  }
  if (spec.rounds.length === 0 || spec.rounds.some((round) => round.length === 0))
    throw invalid(path, 'every round needs a turn, and there must be a round');
  const destinations = new Set<string>();
  spec.rounds.forEach((round, r) =>
    round.forEach((turn) => {
      if (!parties.has(turn.party))
        throw invalid(path, `round ${r + 1}: ${turn.party} is no party`);
      for (const step of turn.steps)
        if (step.op === 'result') destinations.add(`${turn.party}/${step.destination}`);
    }),
  );
  for (const e of spec.expect ?? []) {
    if (!destinations.has(`${e.party}/${e.result}`))
      throw invalid(path, `expect: ${e.party} never reads a result into "${e.result}"`);
  }
}

function planOf(
  path: string,
  spec: ScenarioFile,
  seed: number,
  programs: readonly ProgramSpec[],
  fileSources: ReadonlyMap<string, Uint8Array>,
  expectedFiles: ReadonlyMap<string, Uint8Array>,
  module: ScenarioModule | undefined,
): ScenarioPlan {
  // Example generators run once per example and size, so two sources of one run agree.
  const runs = new Map<string, ExampleRun>();
  const generated = (example: string, size: number): ExampleRun => {
    const key = `${example}:${size}`;
    if (!runs.has(key)) runs.set(key, exampleOr(path, example).generate(seed, size));
    return runs.get(key)!;
  };
  const bytesOf = (s: SourceSpec, where: string): Uint8Array => {
    if ('file' in s) return fileSources.get(s.file)!;
    if ('text' in s) return new TextEncoder().encode(s.text);
    if ('hex' in s) return new Uint8Array(Buffer.from(s.hex, 'hex'));
    if ('program' in s) return programs.find((p) => p.path === s.program)!.wasm;
    const out = generated(s.example, s.size).files.get(s.path);
    if (!out) throw invalid(path, `${where}: the ${s.example} generator makes no ${s.path}`);
    return out;
  };
  const sources = new Map<string, Map<string, Uint8Array>>();
  for (const p of spec.parties) sources.set(p.name, new Map());
  for (const [party, labels] of Object.entries(spec.sources ?? {}))
    for (const [label, s] of Object.entries(labels))
      sources.get(party)!.set(label, bytesOf(s, `sources.${party}.${label}`));
  if (module?.sources) {
    let extra: Record<string, Record<string, Uint8Array>>;
    try {
      extra = module.sources({ seed });
    } catch (error) {
      throw invalid(path, `its module's sources() failed: ${(error as Error).message}`, error);
    }
    for (const [party, labels] of Object.entries(extra)) {
      const mine = sources.get(party);
      if (!mine) throw invalid(path, `its module gives sources to ${party}, who is no party`);
      for (const [label, bytes] of Object.entries(labels)) {
        if (!(bytes instanceof Uint8Array))
          throw invalid(path, `its module's source ${party}/${label} is not bytes`);
        mine.set(label, bytes);
      }
    }
  }
  const rounds: Turn[][] = spec.rounds.map((round) =>
    round.map((turn) => ({
      party: turn.party,
      steps: turn.steps.map((step) => {
        if (
          (step.op === 'program' || step.op === 'data') &&
          !sources.get(turn.party)!.has(step.source)
        )
          throw invalid(path, `${turn.party} has no source "${step.source}"`);
        return step.op === 'data' ? { ...step, mode: step.mode ?? 'write' } : step;
      }),
    })),
  );
  const expected = (e: Expectation): Uint8Array | string => {
    if ('file' in e) return expectedFiles.get(e.file)!;
    if ('text' in e) return new TextEncoder().encode(e.text);
    if ('hex' in e) return new Uint8Array(Buffer.from(e.hex, 'hex'));
    if ('sha256' in e) return e.sha256;
    const inputs = [...runs.entries()].filter(([key]) => key.startsWith(`${e.example}:`));
    if (inputs.length !== 1)
      throw invalid(
        path,
        `expect: ${e.party}/${e.result} needs exactly one ${e.example} generator among the sources`,
      );
    const out = exampleOr(path, e.example).reference(inputs[0]![1]).get(e.output);
    if (!out) throw invalid(path, `expect: the ${e.example} reference has no ${e.output}`);
    return out;
  };
  const expectations = (spec.expect ?? []).map((e) => ({ e, want: expected(e) }));
  return {
    parties: spec.parties.map((p) => ({
      name: p.name,
      role: p.role ?? '',
      capabilities: p.capabilities,
    })),
    programs,
    ...(spec.pipelines ? { pipelines: spec.pipelines } : {}),
    rounds,
    sources,
    ...(module?.decode ? { decode: module.decode.bind(module) } : {}),
    check: (results) => checkResults(results, expectations, module, { seed, sources }),
  };
}

function checkResults(
  results: PartyResults,
  expectations: readonly { e: Expectation; want: Uint8Array | string }[],
  module: ScenarioModule | undefined,
  context: { seed: number; sources: PartyResults },
): Verdict {
  const details: string[] = [];
  for (const { e, want } of expectations) {
    const got = results.get(e.party)?.get(e.result);
    if (!got) details.push(`${e.party} read nothing into "${e.result}"`);
    else if (typeof want === 'string') {
      const digest = sha256Hex(got);
      if (digest !== want)
        details.push(`${e.party}/${e.result} has SHA-256 ${digest}, expected ${want}`);
    } else if (!sameBytes(got, want))
      details.push(`${e.party}/${e.result} is ${show(got)}, expected ${show(want)}`);
  }
  if (details.length > 0)
    return { ok: false, headline: 'a result differs from what the scenario expects', details };
  const passed = `${expectations.length} expected result(s) matched`;
  if (!module?.check)
    return {
      ok: true,
      headline: expectations.map(({ e }) => `${e.party}/${e.result}`).join(', ') + ' as expected',
      details: [passed],
    };
  const verdict: ModuleVerdict = module.check(results, context);
  return {
    ok: verdict.ok === true,
    headline: String(verdict.headline),
    details: [...(verdict.details ?? []).map(String), ...(expectations.length ? [passed] : [])],
  };
}

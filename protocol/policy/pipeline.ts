// Veracruz's pipeline language: program paths, `;` sequencing, `if PATH { ... } else { ... }`
// (else optional), and braces that group. As in Veracruz's lexer, tokens are separated by white
// space: `/a.wasm;` would be one odd path to Veracruz, so we refuse it instead of guessing.
//
// Our tree is normalised: nested sequences are flattened and a one-step sequence is that step,
// so the printed text parses back to the same tree.
import { PolicyError } from './errors.js';
import type { PipelineExpr } from './types.js';

const MAX_PIPELINE_LENGTH = 65536;
const MAX_PIPELINE_DEPTH = 32;

const KEYWORDS = new Set(['if', 'else', '{', '}', ';']);
/** Veracruz's PathString: optional leading slash, non-empty segments, no white space. */
const PATH_PATTERN = /^\/?([^/\s]+\/)*[^/\s]+$/;

function fail(message: string, details: Record<string, unknown> = {}): never {
  throw new PolicyError('ERR_POLICY_BAD_PIPELINE', '$', message, { details });
}

/** Why `path` cannot be a program or condition path in a pipeline, or undefined. */
function pipelinePathProblem(path: string): string | undefined {
  if (KEYWORDS.has(path)) return `"${path}" is a keyword`;
  if (/[{};]/.test(path)) return `"${path}" contains { } or ; (separate them with spaces)`;
  if (!PATH_PATTERN.test(path)) return `"${path}" is not a path`;
  return undefined;
}

interface Token {
  readonly text: string;
  readonly offset: number;
}

function tokenize(text: string): Token[] {
  return [...text.matchAll(/\S+/g)].map((match) => ({ text: match[0], offset: match.index ?? 0 }));
}

class Parser {
  readonly tokens: readonly Token[];
  index = 0;

  constructor(tokens: readonly Token[]) {
    this.tokens = tokens;
  }

  peek(): string | undefined {
    return this.tokens[this.index]?.text;
  }

  fail(message: string): never {
    const token = this.tokens[this.index];
    return fail(
      token ? `${message} at "${token.text}" (offset ${token.offset})` : `${message} at the end`,
      {
        offset: token?.offset ?? null,
      },
    );
  }

  take(expected: string): void {
    if (this.peek() !== expected) this.fail(`expected "${expected}"`);
    this.index += 1;
  }

  path(): string {
    const text = this.peek();
    if (text === undefined) return this.fail('expected a path');
    const problem = pipelinePathProblem(text);
    if (problem) this.fail(problem);
    this.index += 1;
    return text;
  }

  /** Exprs := (Expr ";")* Expr?  -- ends before `}` or at the end of input. */
  exprs(depth: number): PipelineExpr[] {
    const steps: PipelineExpr[] = [];
    while (this.peek() !== undefined && this.peek() !== '}') {
      steps.push(this.expr(depth));
      if (this.peek() !== ';') break;
      this.take(';');
    }
    return steps;
  }

  block(depth: number): PipelineExpr {
    if (depth > MAX_PIPELINE_DEPTH) this.fail(`nested deeper than ${MAX_PIPELINE_DEPTH}`);
    this.take('{');
    const steps = this.exprs(depth + 1);
    this.take('}');
    return sequence(steps);
  }

  expr(depth: number): PipelineExpr {
    const text = this.peek();
    if (text === '{') return this.block(depth);
    if (text !== 'if') return { kind: 'program', path: this.path() };
    this.take('if');
    const condition = this.path();
    const then = this.block(depth);
    if (this.peek() !== 'else') return { kind: 'if', condition, then };
    this.take('else');
    return { kind: 'if', condition, then, else: this.block(depth) };
  }
}

/** Flattens nested sequences; a single step stands for itself. */
function sequence(steps: readonly PipelineExpr[]): PipelineExpr {
  const flat = steps.flatMap((step) => (step.kind === 'seq' ? step.steps : [step]));
  return flat.length === 1 ? (flat[0] as PipelineExpr) : { kind: 'seq', steps: flat };
}

/** The normal form of any tree (what parsing its printed text gives back). */
export function normalizePipeline(expr: PipelineExpr): PipelineExpr {
  switch (expr.kind) {
    case 'program':
      return { kind: 'program', path: expr.path };
    case 'seq':
      return sequence(expr.steps.map(normalizePipeline));
    case 'if': {
      const then = normalizePipeline(expr.then);
      if (expr.else === undefined) return { kind: 'if', condition: expr.condition, then };
      return { kind: 'if', condition: expr.condition, then, else: normalizePipeline(expr.else) };
    }
  }
}

/** Parses pipeline text; refuses malformed text with ERR_POLICY_BAD_PIPELINE. */
export function parsePipeline(text: string): PipelineExpr {
  if (text.length > MAX_PIPELINE_LENGTH) fail(`longer than ${MAX_PIPELINE_LENGTH} characters`);
  const parser = new Parser(tokenize(text));
  const steps = parser.exprs(0);
  if (parser.peek() !== undefined) parser.fail('unexpected token');
  const tree = sequence(steps);
  if (tree.kind === 'seq' && tree.steps.length === 0) fail('the pipeline runs nothing');
  return tree;
}

function printBlock(expr: PipelineExpr): string {
  const body = printPipeline(expr, true);
  return body === '' ? '{ }' : `{ ${body} }`;
}

/** Prints a tree in Veracruz's syntax (tokens separated by single spaces). */
export function printPipeline(expr: PipelineExpr, allowEmpty = false): string {
  switch (expr.kind) {
    case 'program': {
      const problem = pipelinePathProblem(expr.path);
      if (problem) fail(problem);
      return expr.path;
    }
    case 'seq': {
      const text = expr.steps
        .map((step) => printPipeline(step, true))
        .filter((part) => part !== '');
      if (text.length === 0 && !allowEmpty) fail('the pipeline runs nothing');
      return text.join(' ; ');
    }
    case 'if': {
      const problem = pipelinePathProblem(expr.condition);
      if (problem) fail(problem);
      const head = `if ${expr.condition} ${printBlock(expr.then)}`;
      return expr.else === undefined ? head : `${head} else ${printBlock(expr.else)}`;
    }
  }
}

/** Every program path a pipeline may run, in order of first appearance. */
export function pipelinePrograms(expr: PipelineExpr): string[] {
  const found = new Set<string>();
  const visit = (node: PipelineExpr): void => {
    if (node.kind === 'program') found.add(node.path);
    else if (node.kind === 'seq') node.steps.forEach(visit);
    else {
      visit(node.then);
      if (node.else) visit(node.else);
    }
  };
  visit(expr);
  return [...found];
}

// Parses pipeline text for `vc run --pipeline`. Veracruz's grammar: program paths, `;` between
// steps, `if PATH { ... } else { ... }` (else optional), braces grouping; tokens separated by space.
// (protocol/policy has the policy's own parser; this small one keeps the sandbox self-contained.)
import type { PipelineExpr } from '../../protocol/policy/types.js';
import { PipelineError } from '../errors.js';

export function parsePipelineText(text: string): PipelineExpr {
  const tokens = text.match(/\S+/g) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const take = (want?: string): string => {
    const token = tokens[at];
    if (token === undefined || (want !== undefined && token !== want)) {
      throw new PipelineError(
        `pipeline: expected ${want ?? 'a token'} at ${token === undefined ? 'the end' : `"${token}"`}`,
      );
    }
    at++;
    return token;
  };
  const path = (): string => {
    const token = take();
    if (['if', 'else', '{', '}', ';'].includes(token) || /[{};]/.test(token))
      throw new PipelineError(`pipeline: expected a path, got "${token}"`);
    return token;
  };
  const block = (): PipelineExpr => {
    take('{');
    const inner = seq();
    take('}');
    return inner;
  };
  const step = (): PipelineExpr => {
    if (peek() === '{') return block();
    if (peek() !== 'if') return { kind: 'program', path: path() };
    take('if');
    const condition = path();
    const then = block();
    if (peek() !== 'else') return { kind: 'if', condition, then };
    take('else');
    return { kind: 'if', condition, then, else: block() };
  };
  const seq = (): PipelineExpr => {
    const steps = [step()];
    while (peek() === ';') {
      take(';');
      if (peek() === undefined || peek() === '}') break;
      steps.push(step());
    }
    return steps.length === 1 ? (steps[0] as PipelineExpr) : { kind: 'seq', steps };
  };
  const expr = seq();
  if (at !== tokens.length) throw new PipelineError(`pipeline: unexpected "${tokens[at] ?? ''}"`);
  return expr;
}

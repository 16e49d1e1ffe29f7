// Small helpers shared by the use cases: programs from the SDK example index, byte comparison
// against a reference, and map builders.
import { readFileSync } from 'node:fs';
import { exampleNamed, type Example } from '../../sdk/index.js';
import type { PartyResults, ProgramSpec, Verdict } from '../scenario.js';

/** The enclave path an example program is provisioned at. */
export const programPath = (example: string): string => `/program/${example}.wasm`;

/** An example program as a plan's program, with the rights it runs with. */
export function exampleProgram(name: string, capabilities: readonly string[]): ProgramSpec {
  const example: Example = exampleNamed(name);
  return {
    path: programPath(name),
    wasm: new Uint8Array(readFileSync(example.wasmPath)),
    capabilities,
  };
}

/** Party -> label -> bytes, from nested entries. */
export function sourceMap(
  entries: Record<string, Record<string, Uint8Array>>,
): ReadonlyMap<string, ReadonlyMap<string, Uint8Array>> {
  return new Map(Object.entries(entries).map(([party, s]) => [party, new Map(Object.entries(s))]));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** A short, printable rendering of bytes (text when it is text, hex otherwise). */
export function show(bytes: Uint8Array, max = 120): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const printable = /^[\x20-\x7e\n\r\t]*$/.test(text);
  const rendered = printable
    ? JSON.stringify(text)
    : Buffer.from(bytes)
        .toString('hex')
        .replace(/(.{2})/g, '$1');
  return rendered.length > max ? `${rendered.slice(0, max)}… (${bytes.length} bytes)` : rendered;
}

/**
 * Compares every reader's copy of a result with the reference; the verdict's headline comes from
 * `describe` applied to the reference bytes when all match.
 */
export function verdictFor(
  results: PartyResults,
  readers: readonly { party: string; label: string }[],
  expected: Uint8Array,
  describe: (bytes: Uint8Array) => string,
): Verdict {
  const details: string[] = [];
  for (const { party, label } of readers) {
    const actual = results.get(party)?.get(label);
    if (!actual) details.push(`${party} read nothing into "${label}"`);
    else if (!sameBytes(actual, expected))
      details.push(`${party} read ${show(actual)}, the reference gives ${show(expected)}`);
  }
  if (details.length > 0)
    return { ok: false, headline: 'result differs from the reference', details };
  return {
    ok: true,
    headline: describe(expected),
    details: [`${readers.length} reader(s) got exactly the reference result`],
  };
}

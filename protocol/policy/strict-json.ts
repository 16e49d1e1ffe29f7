// A strict JSON reader for policies. JSON.parse keeps the last of two equal keys silently, so two
// parties could read different values from the same bytes; serde (Veracruz) refuses them, and so do
// we. It also bounds nesting depth and reports where a syntax error is. Objects have no prototype.
import { PolicyError, childPath } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export const MAX_JSON_DEPTH = 32;

class Reader {
  readonly text: string;
  position = 0;

  constructor(text: string) {
    this.text = text;
  }

  fail(message: string): never {
    const before = this.text.slice(0, this.position);
    const line = before.split('\n').length;
    const column = this.position - before.lastIndexOf('\n');
    throw new PolicyError(
      'ERR_POLICY_BAD_JSON',
      '$',
      `${message} at line ${line}, column ${column}`,
      {
        details: { offset: this.position, line, column },
      },
    );
  }

  skipSpace(): void {
    while (/[ \t\n\r]/.test(this.text[this.position] ?? '')) this.position += 1;
  }

  expect(literal: string): void {
    if (!this.text.startsWith(literal, this.position))
      this.fail(`expected ${JSON.stringify(literal)}`);
    this.position += literal.length;
  }

  value(path: string, depth: number): JsonValue {
    this.skipSpace();
    const char = this.text[this.position];
    if ((char === '{' || char === '[') && depth >= MAX_JSON_DEPTH) {
      throw new PolicyError(
        'ERR_POLICY_TOO_DEEP',
        path,
        `nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    if (char === '{') return this.object(path, depth);
    if (char === '[') return this.array(path, depth);
    if (char === '"') return this.string();
    if (char === 't') return this.literal('true', true);
    if (char === 'f') return this.literal('false', false);
    if (char === 'n') return this.literal('null', null);
    if (char !== undefined && /[-0-9]/.test(char)) return this.number();
    return this.fail(
      char === undefined ? 'unexpected end of input' : `unexpected ${JSON.stringify(char)}`,
    );
  }

  literal<T extends JsonValue>(word: string, value: T): T {
    this.expect(word);
    return value;
  }

  number(): number {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(
      this.text.slice(this.position),
    );
    if (!match) this.fail('malformed number');
    this.position += match[0].length;
    return Number(match[0]);
  }

  string(): string {
    const start = this.position;
    this.position += 1;
    for (;;) {
      const char = this.text[this.position];
      if (char === undefined) this.fail('unterminated string');
      if (char === '"') break;
      if (char < ' ') this.fail('control character in string');
      this.position += char === '\\' ? 2 : 1;
    }
    this.position += 1;
    try {
      return JSON.parse(this.text.slice(start, this.position)) as string;
    } catch {
      this.position = start;
      return this.fail('malformed string escape');
    }
  }

  array(path: string, depth: number): JsonValue[] {
    this.position += 1;
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.position] === ']') {
      this.position += 1;
      return items;
    }
    for (;;) {
      items.push(this.value(childPath(path, items.length), depth + 1));
      this.skipSpace();
      if (this.text[this.position] === ']') break;
      this.expect(',');
    }
    this.position += 1;
    return items;
  }

  object(path: string, depth: number): JsonObject {
    this.position += 1;
    const result = Object.create(null) as JsonObject;
    this.skipSpace();
    if (this.text[this.position] === '}') {
      this.position += 1;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] !== '"') this.fail('expected a key string');
      const key = this.string();
      const keyPath = childPath(path, key);
      if (Object.prototype.hasOwnProperty.call(result, key)) {
        throw new PolicyError('ERR_POLICY_DUPLICATE_KEY', keyPath, `key "${key}" appears twice`);
      }
      this.skipSpace();
      this.expect(':');
      result[key] = this.value(keyPath, depth + 1);
      this.skipSpace();
      if (this.text[this.position] === '}') break;
      this.expect(',');
    }
    this.position += 1;
    return result;
  }
}

/** Parses JSON text strictly: no duplicate keys, bounded depth, errors with line and column. */
export function parseStrictJson(text: string): JsonValue {
  const reader = new Reader(text);
  const value = reader.value('$', 0);
  reader.skipSpace();
  if (reader.position !== text.length) reader.fail('unexpected text after the JSON value');
  return value;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

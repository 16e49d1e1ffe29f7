// Reference for postcard-wasm: decodes the postcard `Vec<Struct3>` with the shared postcard reader
// and writes what serde_json's `to_string` writes for it (compact; an enum as
// {"VARIANT":value}; f64 in ryu's layout, `null` when not finite; chars as JSON strings with
// only `"`, `\` and control characters escaped).
import { PostcardReader } from '../support/postcard-codec.js';
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { POSTCARD_INPUT } from './generate.js';

export const POSTCARD_OUTPUT = '/output/postcard_wasm.txt';

/** serde_json's (ryu's) text of an f64. */
export function jsonF64(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponent = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const n = digits.length;
  const kk = Number(exponent) + 1;
  const k = kk - n;
  const sign = x < 0 ? '-' : '';
  if (k >= 0 && kk <= 16) return `${sign}${digits}${'0'.repeat(kk - n)}.0`;
  if (kk > 0 && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -5 && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${digits}`;
  const rest = n > 1 ? `.${digits.slice(1)}` : '';
  return `${sign}${digits[0] ?? ''}${rest}e${kk - 1}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function jsonChar(c: string): string {
  const short = SHORT_ESCAPES[c];
  if (short) return `"${short}"`;
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 ? `"\\u${code.toString(16).padStart(4, '0')}"` : `"${c}"`;
}

function list(n: number, item: () => string): string {
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(item());
  return `[${items.join(',')}]`;
}

function enum1(r: PostcardReader): string {
  switch (r.variant(4, 'Enum1')) {
    case 0:
      return `{"ENUM1_1":${r.uint('u32')}}`;
    case 1:
      return `{"ENUM1_2":${r.int(64)}}`;
    case 2:
      return `{"ENUM1_3":${jsonChar(r.char())}}`;
    default:
      return `{"ENUM1_4":${list(11, () => jsonChar(r.char()))}}`;
  }
}

function struct1(r: PostcardReader): string {
  const f = ['f1', 'f2', 'f3'].map((k) => `"${k}":${jsonF64(r.f64())}`);
  const i = ['i1', 'i2', 'i3'].map((k) => `"${k}":${r.int(64)}`);
  const c = ['c1', 'c2', 'c3'].map((k) => `"${k}":${jsonChar(r.char())}`);
  return `{${[...f, ...i, ...c, `"e1":${enum1(r)}`].join(',')}}`;
}

function struct2(r: PostcardReader): string {
  const u = ['u1', 'u2', 'u3'].map((k) => `"${k}":${r.uint('u64')}`);
  const t1 = `"t1":${struct1(r)}`;
  const array1 = `"array1":${list(7, () => String(r.uint('u16')))}`;
  const array2 = `"array2":${list(13, () => String(r.int(32)))}`;
  return `{${[...u, t1, array1, array2, `"e1":${enum1(r)}`].join(',')}}`;
}

function enum2(r: PostcardReader): string {
  switch (r.variant(3, 'Enum2')) {
    case 0:
      return `{"ENUM2_1":${struct2(r)}}`;
    case 1:
      return `{"ENUM2_2":${list(5, () => String(r.uint('u16')))}}`;
    default:
      return `{"ENUM2_3":${r.uint('u16')}}`;
  }
}

/** The JSON text of a postcard `Vec<Struct3>`; throws on a wrong shape. */
function postcardToJson(bytes: Uint8Array): string {
  const r = new PostcardReader(bytes);
  const json = list(
    r.length(),
    () => `{${['e1', 'e2', 'e3'].map((k) => `"${k}":${enum2(r)}`).join(',')}}`,
  );
  r.end();
  return json;
}

export function reference(run: ExampleRun): GuestFiles {
  return files([[POSTCARD_OUTPUT, utf8(postcardToJson(need(run, POSTCARD_INPUT)))]]);
}

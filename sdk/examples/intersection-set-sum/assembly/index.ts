// intersection-set-sum (AssemblyScript): total spend of the customers who saw an advertisement,
// as Veracruz's example computes it.
//
// Inputs (postcard, as Veracruz's generator writes them; a sequence or string is its length as an
// unsigned LEB128 varint, then its elements or UTF-8 bytes; an f64 is 8 little-endian bytes):
//   /input/intersection-advertisement-viewer.dat  Vec<String>: viewer ids
//   /input/intersection-customer.dat             Vec<(String, f64)>: customer id, total spend
// Output: /output/intersection-set-sum.dat  postcard f64: for each viewer in order, the spend of
//   each customer with the same id, in customer order, added to a running total from 0.0 (the
//   additions of Veracruz's nested loop, in its order).
// A file of another shape (a varint too long or too large, a string that is not UTF-8, a record
// cut short, bytes left over) is refused with a message and exit code 1.
import { fail, readFile, writeFile } from '../../../assemblyscript/index';

class Reader {
  bytes: Uint8Array;
  path: string;
  shape: string;
  at: i32 = 0;

  constructor(bytes: Uint8Array, path: string, shape: string) {
    this.bytes = bytes;
    this.path = path;
    this.shape = shape;
  }

  bad(): void {
    fail(this.path + ': not a postcard ' + this.shape);
  }

  /** A usize (u32 on wasm32): at most 5 bytes, the last at most 0x0f. */
  length(): i32 {
    let value: u64 = 0;
    for (let i = 0; i < 5; i++) {
      if (this.at >= this.bytes.length) this.bad();
      const byte = this.bytes[this.at++];
      if (i == 4 && (byte & 0x7f) > 0x0f) this.bad();
      value |= (<u64>(byte & 0x7f)) << (<u64>(7 * i));
      if (byte < 0x80) {
        if (value > <u64>(this.bytes.length - this.at)) this.bad(); // cannot fit what is left
        return <i32>value;
      }
    }
    this.bad();
    return 0;
  }

  string(): string {
    const length = this.length();
    const start = this.at;
    if (!validUtf8(this.bytes, start, start + length)) this.bad();
    this.at += length;
    return String.UTF8.decodeUnsafe(this.bytes.dataStart + <usize>start, <usize>length);
  }

  f64(): f64 {
    if (this.at + 8 > this.bytes.length) this.bad();
    const value = load<f64>(this.bytes.dataStart + <usize>this.at);
    this.at += 8;
    return value;
  }

  end(): void {
    if (this.at != this.bytes.length) this.bad();
  }
}

/** UTF-8 as Rust's String accepts it: no overlong forms, no surrogates, nothing past U+10FFFF. */
function validUtf8(b: Uint8Array, start: i32, end: i32): bool {
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n = 0;
    let lo: u8 = 0x80;
    let hi: u8 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c == 0xe0) {
      n = 2;
      lo = 0xa0;
    } else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) n = 2;
    else if (c == 0xed) {
      n = 2;
      hi = 0x9f;
    } else if (c == 0xf0) {
      n = 3;
      lo = 0x90;
    } else if (c >= 0xf1 && c <= 0xf3) n = 3;
    else if (c == 0xf4) {
      n = 3;
      hi = 0x8f;
    } else return false;
    if (i + n >= end) return false;
    if (b[i + 1] < lo || b[i + 1] > hi) return false;
    for (let k = 2; k <= n; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return false;
    i += n + 1;
  }
  return true;
}

const VIEWERS = '/input/intersection-advertisement-viewer.dat';
const CUSTOMERS = '/input/intersection-customer.dat';

// Customers first: each id's first customer, and each customer's next one with the same id, so
// that a viewer's matches are added in customer order without an array per id.
const customerInput = new Reader(readFile(CUSTOMERS), CUSTOMERS, 'Vec<(String, f64)>');
const customerCount = customerInput.length();
const spends = new Float64Array(customerCount);
const next = new Int32Array(customerCount);
const first = new Map<string, i32>();
const last = new Map<string, i32>();
for (let c = 0; c < customerCount; c++) {
  const id = customerInput.string();
  spends[c] = customerInput.f64();
  next[c] = -1;
  if (first.has(id)) next[last.get(id)] = c;
  else first.set(id, c);
  last.set(id, c);
}
customerInput.end();

// Then the viewers, in order, each adding its matching customers' spends.
const viewerInput = new Reader(readFile(VIEWERS), VIEWERS, 'Vec<String>');
let total: f64 = 0.0;
for (let n = viewerInput.length(); n > 0; n--) {
  const viewer = viewerInput.string();
  if (!first.has(viewer)) continue;
  for (let c = first.get(viewer); c >= 0; c = next[c]) total += spends[c];
}
viewerInput.end();

const result = new Uint8Array(8);
store<f64>(result.dataStart, total);
writeFile('/output/intersection-set-sum.dat', result);

// sort-numbers (AssemblyScript): Veracruz's sort-numbers, the second stage after random-u32-list
// (docs/guest-programs.md, "Rust's text rules").
//
// Input:  /output/unsorted_numbers.txt  read as Rust's String::from_utf8_lossy reads it, trimmed
//         of White_Space at both ends (Rust's str::trim), split at ","; each field must be what
//         Rust's u32::from_str accepts: an optional "+", then ASCII digits, below 2^32, no spaces.
//         A field that is not (an empty file included, as in Veracruz's, where unwrap panics):
//         a message and exit 1, nothing written.
// Output: /output/sorted_numbers.txt  the numbers in ascending order, joined by ",", then "\n"
import { fail, readTextLossy, writeText } from '../../../assemblyscript/index';

function parseU32(text: string): u32 {
  let start = 0;
  if (text.length > 0 && text.charCodeAt(0) == 43) start = 1; // '+'
  let kind = '';
  if (text.length == 0) kind = 'Empty';
  else if (start == text.length) kind = 'InvalidDigit';
  let value: u64 = 0;
  for (let i = start; i < text.length && kind.length == 0; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) kind = 'InvalidDigit';
    else {
      value = value * 10 + <u64>digit;
      if (value > <u64>u32.MAX_VALUE) kind = 'PosOverflow';
    }
  }
  // Rust reports a bad digit before an overflow further on; both end the program the same way.
  if (kind.length > 0) {
    fail('sort-numbers: "' + text + '" is not a u32: ParseIntError { kind: ' + kind + ' }');
  }
  return <u32>value;
}

// char::is_whitespace: Unicode's White_Space property (all in the Basic Multilingual Plane).
function isWhiteSpace(c: i32): bool {
  return (
    (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
    c == 0x3000
  );
}

function rustTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWhiteSpace(text.charCodeAt(start))) start++;
  while (end > start && isWhiteSpace(text.charCodeAt(end - 1))) end--;
  return text.substring(start, end);
}

const fields = rustTrim(readTextLossy('/output/unsorted_numbers.txt')).split(',');
const numbers = new Uint32Array(fields.length);
for (let i = 0; i < fields.length; i++) numbers[i] = parseU32(fields[i]);
numbers.sort();
const parts = new Array<string>(numbers.length);
for (let i = 0; i < numbers.length; i++) parts[i] = numbers[i].toString();
writeText('/output/sorted_numbers.txt', parts.join(',') + '\n');

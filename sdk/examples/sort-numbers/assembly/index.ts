// sort-numbers (AssemblyScript): sorts the numbers left by random-u32-list (second pipeline stage).
//
// Input:  /output/unsorted_numbers.txt  one CSV line of decimal u32 (empty file: no numbers)
// Output: /output/sorted_numbers.txt    the same numbers in ascending order, same format
import { fail, readText, writeText } from '../../../assemblyscript/index';

function parseU32(text: string): u32 {
  if (text.length == 0 || text.length > 10) fail('not a u32: ' + text);
  let value: u64 = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) fail('not a u32: ' + text);
    value = value * 10 + <u64>digit;
  }
  if (value > <u64>u32.MAX_VALUE) fail('not a u32: ' + text);
  return <u32>value;
}

const text = readText('/output/unsorted_numbers.txt').trim();
const fields = text.length == 0 ? new Array<string>() : text.split(',');
const numbers = new Uint32Array(fields.length);
for (let i = 0; i < fields.length; i++) numbers[i] = parseU32(fields[i].trim());
numbers.sort();
const parts = new Array<string>(numbers.length);
for (let i = 0; i < numbers.length; i++) parts[i] = numbers[i].toString();
writeText('/output/sorted_numbers.txt', numbers.length == 0 ? '' : parts.join(',') + '\n');

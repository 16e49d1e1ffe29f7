// intersection-set-sum (AssemblyScript): total spend of the customers who saw an advertisement.
//
// Inputs:  /input/intersection-advertisement-viewer.dat  CSV lines: viewer id
//          /input/intersection-customer.dat             CSV lines: customer id,spend in cents
// Output:  /output/intersection-set-sum.dat  two little-endian u64: number of matching customer
//          lines, then the sum of their spend (cents).
import { fail, lines, readText, writeFile } from '../../../assemblyscript/index';

function parseCents(text: string): u64 {
  if (text.length == 0) fail('empty spend');
  let value: u64 = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) fail('bad spend: ' + text);
    value = value * 10 + <u64>digit;
  }
  return value;
}

const viewers = new Set<string>();
const viewerLines = lines(readText('/input/intersection-advertisement-viewer.dat'));
for (let i = 0; i < viewerLines.length; i++) viewers.add(viewerLines[i]);

let matches: u64 = 0;
let total: u64 = 0;
const customerLines = lines(readText('/input/intersection-customer.dat'));
for (let i = 0; i < customerLines.length; i++) {
  const line = customerLines[i];
  const comma = line.indexOf(',');
  if (comma < 0) fail('bad customer line: ' + line);
  if (viewers.has(line.substring(0, comma))) {
    matches++;
    total += parseCents(line.substring(comma + 1));
  }
}

const result = new Uint8Array(16);
store<u64>(result.dataStart, matches);
store<u64>(result.dataStart + 8, total);
writeFile('/output/intersection-set-sum.dat', result);

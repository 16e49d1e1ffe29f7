// Sealed-bid second-price (Vickrey) auction, as a WASI 0.2 component built with ComponentizeJS.
// Reads /input/bids.csv (`bidder,amount` lines, an optional `bidder,amount` header), writes
// /output/result.json: the highest bidder wins (the earliest one on a tie) and pays the second
// highest amount (0 with a single bid). Malformed input or no bids: a message on stderr and exit
// code 1 (run returns `err`).
import { getDirectories } from 'wasi:filesystem/preopens@0.2.12';

const INPUT = '/input/bids.csv';
const OUTPUT = '/output/result.json';

/** The pre-opened directory holding `path`, and the path relative to it. */
function locate(path) {
  for (const [descriptor, dir] of getDirectories()) {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    if (path.startsWith(prefix)) return [descriptor, path.slice(prefix.length)];
  }
  throw new Error(`no pre-opened directory holds ${path}`);
}

function readFile(path) {
  const [dir, relative] = locate(path);
  const file = dir.openAt({}, relative, {}, { read: true });
  const chunks = [];
  let offset = 0n;
  for (;;) {
    const [bytes, end] = file.read(65536n, offset);
    chunks.push(bytes);
    offset += BigInt(bytes.length);
    if (end || bytes.length === 0) break;
  }
  const all = new Uint8Array(Number(offset));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(all);
}

function writeFile(path, text) {
  const [dir, relative] = locate(path);
  const file = dir.openAt({}, relative, { create: true, truncate: true }, { write: true });
  file.write(new TextEncoder().encode(text), 0n);
}

function parseBids(csv) {
  const bids = [];
  const lines = csv.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || (i === 0 && line.toLowerCase() === 'bidder,amount')) continue;
    const comma = line.lastIndexOf(',');
    const bidder = line.slice(0, comma).trim();
    const amountText = line.slice(comma + 1).trim();
    const amount = Number(amountText);
    if (comma <= 0 || bidder === '' || amountText === '' || !Number.isFinite(amount) || amount < 0) {
      throw new Error(`line ${i + 1}: expected "bidder,amount"`);
    }
    bids.push({ bidder, amount });
  }
  return bids;
}

function decide(bids) {
  if (bids.length === 0) throw new Error('no bids');
  let best = 0;
  for (let i = 1; i < bids.length; i++) if (bids[i].amount > bids[best].amount) best = i;
  let price = 0;
  for (let i = 0; i < bids.length; i++) if (i !== best && bids[i].amount > price) price = bids[i].amount;
  return { winner: bids[best].bidder, price, bids: bids.length };
}

export const run = {
  run() {
    try {
      const result = decide(parseBids(readFile(INPUT)));
      writeFile(OUTPUT, `${JSON.stringify(result)}\n`);
    } catch (error) {
      // Errors of wasi:filesystem arrive as their error-code (`access`, `no-entry`, ...).
      console.error(`sealed-bid-auction: ${error?.message ?? error}`);
      // ComponentizeJS maps a throw out of an export returning `result` to its `err` case.
      throw error;
    }
  },
};

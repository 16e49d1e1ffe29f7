// Seeded data for sealed-bid-auction: `size` bidders, each with one bid of 1..500 dollars in cents
// (whole dollars, so that ties happen).
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const bids: [string, Uint8Array][] = [];
  for (let i = 0; i < size; i++) {
    const bidder = `bidder-${rng.u32().toString(16).padStart(8, '0')}`;
    bids.push([`/input/bids/${bidder}`, utf8(`${rng.between(1, 500) * 100}\n`)]);
  }
  return { files: files(bids) };
}

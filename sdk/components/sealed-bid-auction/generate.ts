// Seeded bids for sealed-bid-auction: `size` bidders with amounts of 1..500 (whole numbers, so ties
// happen), some in cents, in CSV with the header line.
import { createRng } from '../../examples/support/prng.js';

export function generateBids(seed: number, size: number): string {
  const rng = createRng(seed);
  const lines = ['bidder,amount'];
  for (let i = 0; i < size; i++) {
    const bidder = `bidder-${rng.u32().toString(16).padStart(8, '0')}`;
    const amount = rng.between(1, 500) + (rng.below(4) === 0 ? rng.below(100) / 100 : 0);
    lines.push(`${bidder},${amount}`);
  }
  return `${lines.join('\n')}\n`;
}

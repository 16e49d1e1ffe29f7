// Reference for the JavaScript component sealed-bid-auction (guest.js), written independently:
// parse every bid, sort by amount (highest first, stable so that the earliest wins a tie), and read
// off the winner and the runner-up's amount. Returns the exact bytes of /output/result.json, or
// `undefined` when the guest must refuse the input (exit code 1, no output).

export interface AuctionResult {
  readonly winner: string;
  readonly price: number;
  readonly bids: number;
}

const HEADER = 'bidder,amount';

function parseLine(line: string): { bidder: string; amount: number } | undefined {
  const match = /^(.+),([^,]*)$/.exec(line);
  if (!match) return undefined;
  const bidder = (match[1] as string).trim();
  const amountText = (match[2] as string).trim();
  const amount = Number(amountText);
  if (bidder === '' || amountText === '' || !Number.isFinite(amount) || amount < 0)
    return undefined;
  return { bidder, amount };
}

export function auction(csv: string): AuctionResult | undefined {
  const rows = csv.split(/\r?\n/).map((line) => line.trim());
  const bids: Array<{ bidder: string; amount: number }> = [];
  for (const [index, line] of rows.entries()) {
    if (line === '' || (index === 0 && line.toLowerCase() === HEADER)) continue;
    const bid = parseLine(line);
    if (!bid) return undefined;
    bids.push(bid);
  }
  const ranked = [...bids].sort((a, b) => b.amount - a.amount);
  const [first, second] = ranked;
  if (!first) return undefined;
  return { winner: first.bidder, price: second?.amount ?? 0, bids: bids.length };
}

/** The bytes the guest writes to /output/result.json, or undefined when it refuses the input. */
export function referenceOutput(csv: string): Uint8Array | undefined {
  const result = auction(csv);
  return result ? new TextEncoder().encode(`${JSON.stringify(result)}\n`) : undefined;
}

// Reference for sealed-bid-auction: sort the bids (highest first, then smallest id) and read off
// the winner and the runner-up's amount.
import { files, fromUtf8, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  const bids = [...run.files]
    .filter(([path]) => path.startsWith('/input/bids/'))
    .map(([path, data]) => ({
      bidder: path.slice('/input/bids/'.length),
      amount: BigInt(fromUtf8(data).trim()),
    }));
  bids.sort((a, b) =>
    a.amount !== b.amount ? (a.amount > b.amount ? -1 : 1) : a.bidder < b.bidder ? -1 : 1,
  );
  const [first, second] = bids;
  const text = first ? `${first.bidder},${(second ?? first).amount}\n` : '';
  return files([['/output/auction.dat', utf8(text)]]);
}

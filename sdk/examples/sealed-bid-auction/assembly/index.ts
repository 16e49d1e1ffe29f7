// sealed-bid-auction (AssemblyScript): a second-price (Vickrey) sealed-bid auction that reveals
// only the winner and the price.
//
// Inputs:  /input/bids/<bidder>  one file per bidder, named by the bidder's id; its content is the
//          bid in cents as a decimal integer (CSV: one line, one field).
// Output:  /output/auction.dat  CSV line "winner,price". The winner is the highest bidder (ties go
//          to the smallest id in byte order); the price is the highest bid among the other bidders,
//          or the winner's own bid when alone. An empty file when nobody bid.
import { fail, lines, listDirOrEmpty, readText, writeText } from '../../../assemblyscript/index';

function parseCents(text: string, bidder: string): u64 {
  if (text.length == 0 || text.length > 18) fail('bad bid from ' + bidder);
  let value: u64 = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) fail('bad bid from ' + bidder);
    value = value * 10 + <u64>digit;
  }
  return value;
}

// listDir sorts names by code unit, which for the ASCII ids we accept is byte order.
// No /input/bids folder means nobody bid.
const bidders = listDirOrEmpty('/input/bids');
let winner = '';
let best: u64 = 0;
let second: u64 = 0;
for (let i = 0; i < bidders.length; i++) {
  const bidder = bidders[i];
  const rows = lines(readText('/input/bids/' + bidder));
  if (rows.length != 1) fail('bid from ' + bidder + ' must be one line');
  const amount = parseCents(rows[0].trim(), bidder);
  if (winner.length == 0 || amount > best) {
    if (winner.length != 0) second = best;
    winner = bidder;
    best = amount;
  } else if (amount > second) {
    second = amount;
  }
}
if (bidders.length == 1) second = best;
writeText('/output/auction.dat', winner.length == 0 ? '' : winner + ',' + second.toString() + '\n');

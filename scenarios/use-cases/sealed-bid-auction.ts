// A second-price sealed-bid auction among five bidders. Each bidder may write only its own bid
// file; the auctioneer provides the program and runs it; everyone reads the outcome, which reveals
// the winner and the price (the second-highest bid) and no other bid.
import { exampleNamed, fromUtf8, type ExampleRun } from '../../sdk/index.js';
import type { Scenario, Turn } from '../scenario.js';
import { exampleProgram, programPath, sourceMap, verdictFor } from './support.js';

const PROGRAM = 'sealed-bid-auction';
const BIDDERS = ['alice', 'bob', 'carol', 'dave', 'erin'];

const dollars = (cents: string): string => `$${(Number(cents) / 100).toFixed(2)}`;

export const sealedBidAuction: Scenario = {
  name: 'sealed-bid-auction',
  title: 'Sealed-bid auction (five bidders, second price)',
  summary:
    'Five bidders each seal one bid into the enclave. The auctioneer runs the auction program; ' +
    'every bidder learns who won and the price paid (the second-highest bid), and no other bid.',
  plan(seed) {
    const example = exampleNamed(PROGRAM);
    // The generator's bids, renamed after our bidders so the outcome reads naturally.
    const generated = [...example.generate(seed, BIDDERS.length).files.values()];
    const bids = new Map(BIDDERS.map((name, i) => [`/input/bids/${name}`, generated[i]!]));
    const run: ExampleRun = { files: bids };
    const expected = example.reference(run).get(example.outputs[0]!)!;
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    const readAll = (party: string): Turn => ({
      party,
      steps: [{ op: 'result', path: example.outputs[0]!, destination: 'outcome' }],
    });
    return {
      parties: [
        {
          name: 'auctioneer',
          role: 'provides and runs the auction program',
          capabilities: ['/program/:wx', '/output/:r'],
        },
        ...BIDDERS.map((name) => ({
          name,
          role: 'bids once and reads the outcome',
          capabilities: [`/input/bids/${name}:w`, '/output/:r'],
        })),
      ],
      programs: [program],
      rounds: [
        [
          { party: 'auctioneer', steps: [{ op: 'program', path: program.path, source: 'wasm' }] },
          ...BIDDERS.map((party) => ({
            party,
            steps: [
              {
                op: 'data' as const,
                path: `/input/bids/${party}`,
                source: 'bid',
                mode: 'write' as const,
              },
            ],
          })),
        ],
        [{ party: 'auctioneer', steps: [{ op: 'compute', program: programPath(PROGRAM) }] }],
        [readAll('auctioneer'), ...BIDDERS.map(readAll)],
        [{ party: 'auctioneer', steps: [{ op: 'shutdown' }] }],
      ],
      sources: sourceMap({
        auctioneer: { wasm: program.wasm },
        ...Object.fromEntries(
          BIDDERS.map((name) => [name, { bid: bids.get(`/input/bids/${name}`)! }]),
        ),
      }),
      decode: (_party, _label, bytes) => {
        const [winner = '', price = ''] = fromUtf8(bytes).trim().split(',');
        return { winner, price: Number(price) };
      },
      check: (results) =>
        verdictFor(
          results,
          ['auctioneer', ...BIDDERS].map((party) => ({ party, label: 'outcome' })),
          expected,
          (bytes) => {
            const [winner = '?', price = '0'] = fromUtf8(bytes).trim().split(',');
            return `${winner} wins the auction and pays ${dollars(price)} (the second-highest bid)`;
          },
        ),
    };
  },
};

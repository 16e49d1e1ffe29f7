// A secret election. The election authority provisions the counting program and its list of
// candidates and eligible voters; six voters each seal one ballot (a nonce they chose and a
// candidate) into their own ballot file; one of them tries to vote twice, and mallory, whom the
// policy lets write a ballot but who is on no list, votes too. Inside the enclave the program
// counts one ballot per listed voter, refuses the second ballot and mallory's, and publishes the
// tally and the Merkle root of the counted ballots' commitments. Every voter reads the tally and
// their own receipt (their commitment and its path to the root), and checks it: their ballot was
// counted, and nothing tells them how anyone else voted.
// A voter's identity is their ballot file: the policy lets each write only their own, so writing it
// again before the count replaces their ballot (one still counts), while a ballot appended to it is
// refused. The nonces here come from the seeded generator so that runs are reproducible (and can be
// checked in other processes); a real voter draws theirs from a cryptographic random source, since
// a guessable nonce lets anyone test a commitment against every candidate.
import {
  ballotLine,
  createRng,
  electionFile,
  exampleNamed,
  fromUtf8,
  receiptProblem,
  type ElectionReceipt,
} from '../../sdk/index.js';
import type { PartyResults, Scenario, Turn, Verdict } from '../scenario.js';
import { exampleProgram, programPath, sameBytes, show, sourceMap } from './support.js';

const PROGRAM = 'secret-election';
const CANDIDATES = ['ada', 'grace', 'hedy'];
const VOTERS = ['voter-1', 'voter-2', 'voter-3', 'voter-4', 'voter-5', 'voter-6'];
/** Appends a second ballot after the first: refused as a duplicate. */
const DOUBLE_VOTER = 'voter-4';
/** In the policy (may write a ballot file) but on no list of the authority: refused. */
const OUTSIDER = 'mallory';
const ELECTION = '/input/election.txt';
const TALLY = '/output/tally.json';
const ballotPath = (voter: string): string => `/input/ballots/${voter}`;
const receiptPath = (voter: string): string => `/output/receipt-${voter}.json`;

interface Cast {
  readonly nonce: Uint8Array;
  readonly candidate: string;
}

export const secretElection: Scenario = {
  name: 'secret-election',
  title: 'Secret election (six voters, receipts under a Merkle root)',
  summary:
    'An election authority provisions the counting program and the list of eligible voters; each ' +
    'voter seals one ballot. A second ballot and an unlisted voter are refused inside the enclave; ' +
    'every voter reads the tally and a receipt proving their ballot was counted, and no one learns ' +
    'how anyone else voted.',
  plan(seed) {
    const rng = createRng(seed);
    const cast = (): Cast => ({ nonce: rng.bytes(32), candidate: rng.pick(CANDIDATES) });
    const first = new Map([...VOTERS, OUTSIDER].map((v) => [v, cast()]));
    const second = cast();
    const line = (b: Cast) => new TextEncoder().encode(ballotLine(b.nonce, b.candidate));
    const election = electionFile(CANDIDATES, VOTERS);
    const files = new Map<string, Uint8Array>([[ELECTION, election]]);
    for (const [voter, ballot] of first) {
      const bytes = line(ballot);
      files.set(
        ballotPath(voter),
        voter === DOUBLE_VOTER ? new Uint8Array([...bytes, ...line(second)]) : bytes,
      );
    }
    const expected = exampleNamed(PROGRAM).reference({ files });
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    const everyone = [...VOTERS, OUTSIDER];
    const read = (party: string): Turn => ({
      party,
      steps: [
        { op: 'result', path: TALLY, destination: 'tally' },
        { op: 'result', path: receiptPath(party), destination: 'receipt' },
      ],
    });
    return {
      parties: [
        {
          name: 'authority',
          role: 'provides the counting program and the list of candidates and voters, runs the count',
          capabilities: ['/program/:wx', `${ELECTION}:w`, `${TALLY}:r`],
        },
        ...everyone.map((name) => ({
          name,
          role:
            name === OUTSIDER
              ? 'may write a ballot file, but is on no list: refused inside the enclave'
              : name === DOUBLE_VOTER
                ? 'votes, then tries to vote a second time (refused), reads the tally and a receipt'
                : 'casts one sealed ballot, reads the tally and a receipt',
          capabilities: [`${ballotPath(name)}:w`, `${TALLY}:r`, `${receiptPath(name)}:r`],
        })),
      ],
      programs: [program],
      rounds: [
        [
          {
            party: 'authority',
            steps: [
              { op: 'program', path: program.path, source: 'wasm' },
              { op: 'data', path: ELECTION, source: 'election', mode: 'write' },
            ],
          },
          ...everyone.map((party): Turn => ({
            party,
            steps: [
              { op: 'data', path: ballotPath(party), source: 'ballot', mode: 'write' },
              ...(party === DOUBLE_VOTER
                ? [
                    {
                      op: 'data' as const,
                      path: ballotPath(party),
                      source: 'second-ballot',
                      mode: 'append' as const,
                    },
                  ]
                : []),
            ],
          })),
        ],
        [
          {
            party: 'authority',
            steps: [
              { op: 'compute', program: programPath(PROGRAM) },
              { op: 'result', path: TALLY, destination: 'tally' },
            ],
          },
        ],
        everyone.map(read),
        [{ party: 'authority', steps: [{ op: 'shutdown' }] }],
      ],
      sources: sourceMap({
        authority: { wasm: program.wasm, election },
        ...Object.fromEntries(
          everyone.map((v) => [
            v,
            {
              ballot: line(first.get(v)!),
              ...(v === DOUBLE_VOTER ? { 'second-ballot': line(second) } : {}),
            },
          ]),
        ),
      }),
      decode: (_party, _label, bytes) => JSON.parse(fromUtf8(bytes)) as unknown,
      check: (results) => checkElection(results, expected, first),
    };
  },
};

function checkElection(
  results: PartyResults,
  expected: ReadonlyMap<string, Uint8Array>,
  cast: ReadonlyMap<string, Cast>,
): Verdict {
  const details: string[] = [];
  const wantTally = expected.get(TALLY)!;
  for (const party of ['authority', ...VOTERS, OUTSIDER]) {
    const tally = results.get(party)?.get('tally');
    if (!tally) details.push(`${party} read no tally`);
    else if (!sameBytes(tally, wantTally))
      details.push(
        `${party} read the tally ${show(tally)}, the reference gives ${show(wantTally)}`,
      );
  }
  const tally = JSON.parse(fromUtf8(wantTally)) as {
    root: string;
    counted: number;
    refused: { duplicate: number; ineligible: number; invalid: number };
    votes: Record<string, number>;
  };
  let verified = 0;
  for (const party of [...VOTERS, OUTSIDER]) {
    const bytes = results.get(party)?.get('receipt');
    if (!bytes) {
      details.push(`${party} read no receipt`);
      continue;
    }
    if (!sameBytes(bytes, expected.get(receiptPath(party))!))
      details.push(`${party}'s receipt differs from the reference: ${show(bytes)}`);
    const receipt = JSON.parse(fromUtf8(bytes)) as ElectionReceipt;
    const problem = receiptProblem(cast.get(party)!, receipt, tally.root);
    if (party === OUTSIDER) {
      if (receipt.status !== 'refused' || receipt.reason !== 'ineligible')
        details.push(`${OUTSIDER}'s ballot was not refused as ineligible: ${show(bytes)}`);
      continue;
    }
    if (problem) details.push(`${party}'s receipt does not prove their ballot: ${problem}`);
    else verified++;
    const duplicates = party === DOUBLE_VOTER ? 1 : 0;
    if (receipt.refused !== duplicates)
      details.push(
        `${party}'s receipt names ${receipt.refused} refused ballots, not ${duplicates}`,
      );
  }
  if (tally.refused.duplicate !== 1 || tally.refused.ineligible !== 1)
    details.push(
      `the tally refused ${JSON.stringify(tally.refused)}, expected one duplicate and one ineligible`,
    );
  if (details.length > 0) return { ok: false, headline: 'the election result is wrong', details };
  const votes = Object.entries(tally.votes)
    .map(([candidate, n]) => `${candidate} ${n}`)
    .join(', ');
  return {
    ok: true,
    headline: `${votes}; every voter's receipt proves their ballot is under root ${tally.root.slice(0, 12)}…`,
    details: [
      `${verified} receipts verified in TypeScript against the published root; the tally equals the reference`,
      `refused inside the enclave: ${DOUBLE_VOTER}'s second ballot (duplicate), ${OUTSIDER}'s ballot (not on the list)`,
    ],
  };
}

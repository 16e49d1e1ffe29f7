// Seeded data for secret-election: an authority's list of three candidates and `size` eligible
// voters; about one voter in ten abstains, one in ten appends a second ballot (refused as a
// duplicate), one in twenty casts an invalid ballot, and a tenth as many outsiders, on no list,
// cast ballots too (refused as ineligible). The nonces come from the seeded generator so that runs
// are reproducible; a real voter draws theirs from a cryptographic random source, since a guessable
// nonce lets anyone test a commitment against every candidate.
import { createRng, type Rng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

const CANDIDATES = ['ada', 'grace', 'hedy'] as const;

/** One ballot line: the voter's 32-byte nonce in hex, a space, the candidate. */
export function ballotLine(nonce: Uint8Array, candidate: string): string {
  return `${Buffer.from(nonce).toString('hex')} ${candidate}\n`;
}

/** The authority's list (`/input/election.txt`). */
export function electionFile(candidates: readonly string[], voters: readonly string[]): Uint8Array {
  return utf8(
    [...candidates.map((c) => `candidate ${c}`), ...voters.map((v) => `voter ${v}`)].join('\n') +
      '\n',
  );
}

/** A ballot for a candidate drawn with unequal popularity. */
function randomBallot(rng: Rng): string {
  return ballotLine(rng.bytes(32), CANDIDATES[Math.floor(rng.float() ** 1.5 * CANDIDATES.length)]!);
}

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const voters = Array.from({ length: size }, (_, i) => `voter-${String(i).padStart(5, '0')}`);
  const entries: [string, Uint8Array][] = [
    ['/input/election.txt', electionFile(CANDIDATES, voters)],
  ];
  for (const voter of voters) {
    const draw = rng.below(20);
    if (draw < 2) continue; // abstains
    let ballot = draw === 2 ? ballotLine(rng.bytes(32), 'nobody') : randomBallot(rng);
    if (draw === 3) ballot += randomBallot(rng); // votes twice
    if (draw === 4) ballot += randomBallot(rng) + randomBallot(rng); // three times
    entries.push([`/input/ballots/${voter}`, utf8(ballot)]);
  }
  for (let i = 0; i < Math.floor(size / 10); i++)
    entries.push([
      `/input/ballots/outsider-${String(i).padStart(4, '0')}`,
      utf8(randomBallot(rng)),
    ]);
  return { files: files(entries) };
}

// Reference for secret-election: the same rules, commitments and Merkle tree as main.c, written
// independently with node:crypto's SHA-256 and JSON.stringify.
import { createHash } from 'node:crypto';
import { files, fromUtf8, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** SHA-256("veracruz-ballot" 0x00 || nonce || candidate). */
export function commitmentOf(nonce: Uint8Array, candidate: string): Buffer {
  return sha256(utf8('veracruz-ballot\0'), nonce, utf8(candidate));
}

export const leafHash = (commitment: Uint8Array): Buffer => sha256(Uint8Array.of(0), commitment);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer =>
  sha256(Uint8Array.of(1), left, right);

/** Levels of the tree, leaves first; odd levels carry their last node up. */
function levelsOf(leaves: readonly Buffer[]): Buffer[][] {
  const levels = [leaves.slice()];
  while (levels.at(-1)!.length > 1) {
    const below = levels.at(-1)!;
    const up: Buffer[] = [];
    for (let j = 0; j < below.length; j += 2)
      up.push(j + 1 < below.length ? nodeHash(below[j]!, below[j + 1]!) : below[j]!);
    levels.push(up);
  }
  return levels;
}

const NAME = /^[a-z0-9-]{1,32}$/;

function parseBallot(line: string, candidates: readonly string[]): Buffer | undefined {
  const match = /^([0-9a-f]{64}) (.*)$/s.exec(line);
  if (!match || !candidates.includes(match[2]!)) return undefined;
  return commitmentOf(Buffer.from(match[1]!, 'hex'), match[2]!);
}

export function reference(run: ExampleRun): GuestFiles {
  const candidates: string[] = [];
  const voters: string[] = [];
  for (const line of fromUtf8(need(run, '/input/election.txt')).split('\n')) {
    const [kind, name = ''] = line.split(/ (.*)/s);
    if (kind === 'candidate' && NAME.test(name)) candidates.push(name);
    else if (kind === 'voter' && NAME.test(name)) {
      if (!voters.includes(name)) voters.push(name);
    } else if (line !== '') throw new Error(`bad election line ${line}`);
  }
  const ballots = new Map<string, string>();
  for (const [path, bytes] of run.files)
    if (path.startsWith('/input/ballots/')) ballots.set(path.slice(15), fromUtf8(bytes));
  const onList = new Set(voters);
  for (const name of [...ballots.keys()].sort()) if (!voters.includes(name)) voters.push(name);

  const votes = new Map(candidates.map((c) => [c, 0]));
  const refused = { duplicate: 0, ineligible: 0, invalid: 0 };
  const fate = new Map<string, { commitment?: Buffer; reason?: string; duplicates: number }>();
  for (const name of voters) {
    const text = ballots.get(name);
    if (text === undefined) {
      fate.set(name, { reason: 'no ballot', duplicates: 0 });
      continue;
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const duplicates = Math.max(0, lines.length - 1);
    refused.duplicate += duplicates;
    const commitment = parseBallot(lines[0] ?? '', candidates);
    if (!onList.has(name)) {
      refused.ineligible++;
      fate.set(name, { reason: 'ineligible', duplicates });
    } else if (!commitment) {
      refused.invalid++;
      fate.set(name, { reason: 'invalid', duplicates });
    } else {
      const candidate = /^[0-9a-f]{64} (.*)$/s.exec(lines[0]!)![1]!;
      votes.set(candidate, votes.get(candidate)! + 1);
      fate.set(name, { commitment, duplicates });
    }
  }
  const commitments = [...fate.values()]
    .flatMap((f) => (f.commitment ? [f.commitment] : []))
    .sort(Buffer.compare);
  const levels = levelsOf(commitments.map(leafHash));
  const root = (commitments.length === 0 ? sha256() : levels.at(-1)![0]!).toString('hex');
  const out: [string, Uint8Array][] = [
    [
      '/output/tally.json',
      utf8(
        JSON.stringify({
          root,
          counted: commitments.length,
          refused,
          votes: Object.fromEntries(votes),
        }),
      ),
    ],
  ];
  for (const [name, f] of fate) {
    let receipt: object;
    if (f.commitment) {
      const index = commitments.findIndex((c) => c.equals(f.commitment!));
      const proof: string[] = [];
      let at = index;
      for (const level of levels.slice(0, -1)) {
        const sibling = at ^ 1;
        if (sibling < level.length) proof.push(level[sibling]!.toString('hex'));
        at >>= 1;
      }
      receipt = {
        voter: name,
        status: 'counted',
        commitment: f.commitment.toString('hex'),
        index,
        leaves: commitments.length,
        proof,
        root,
        refused: f.duplicates,
      };
    } else {
      receipt = { voter: name, status: 'refused', reason: f.reason, root, refused: f.duplicates };
    }
    out.push([`/output/receipt-${name}.json`, utf8(JSON.stringify(receipt))]);
  }
  return files(out);
}

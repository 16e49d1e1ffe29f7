// A voter's check of their secret-election receipt, in TypeScript: the receipt names their own
// ballot's commitment (recomputed from the nonce and candidate only they know) and a Merkle path
// from it to the root the tally publishes. Nothing in it says how anyone else voted: the other
// leaves are commitments under nonces their voters keep.
import { commitmentOf, leafHash, nodeHash } from './reference.js';

/** A receipt as the counting program writes it (`/output/receipt-<voter>.json`). */
export interface ElectionReceipt {
  readonly voter: string;
  readonly status: 'counted' | 'refused';
  readonly reason?: string;
  readonly commitment?: string;
  readonly index?: number;
  readonly leaves?: number;
  readonly proof?: readonly string[];
  readonly root: string;
  /** Further ballots of this voter refused as duplicates. */
  readonly refused: number;
}

/** The ballot a voter cast: the nonce they chose and their candidate. */
export interface CastBallot {
  readonly nonce: Uint8Array;
  readonly candidate: string;
}

/**
 * Why `receipt` does not prove that `ballot` was counted under the published `root`, or undefined
 * when it does: the commitment is the ballot's, and the path from its leaf reaches the root.
 */
export function receiptProblem(
  ballot: CastBallot,
  receipt: ElectionReceipt,
  root: string,
): string | undefined {
  if (receipt.status !== 'counted') return `the ballot was refused: ${receipt.reason ?? '?'}`;
  if (receipt.root !== root) return 'the receipt names another root than the tally';
  const commitment = commitmentOf(ballot.nonce, ballot.candidate);
  if (receipt.commitment !== commitment.toString('hex'))
    return 'the receipt commits to another ballot';
  const { index, leaves, proof } = receipt;
  if (
    !Number.isSafeInteger(index) ||
    !Number.isSafeInteger(leaves) ||
    !Array.isArray(proof) ||
    index! < 0 ||
    index! >= leaves!
  )
    return 'the receipt has no well-formed path';
  let node = leafHash(commitment);
  let at = index!;
  let width = leaves!;
  let used = 0;
  while (width > 1) {
    const sibling = at ^ 1;
    if (sibling < width) {
      const next = proof![used++];
      if (typeof next !== 'string' || !/^[0-9a-f]{64}$/.test(next))
        return 'the path is too short or malformed';
      const other = Buffer.from(next, 'hex');
      node = at % 2 === 0 ? nodeHash(node, other) : nodeHash(other, node);
    }
    at >>= 1;
    width = (width + 1) >> 1;
  }
  if (used !== proof!.length) return 'the path is longer than the tree';
  return node.toString('hex') === root ? undefined : 'the path does not reach the root';
}

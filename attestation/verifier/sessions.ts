// Attestation sessions in the state store: `session.<id>`. A session is created by a challenge and
// consumed by the first evidence submitted for it (compare-and-set), so every session appraises at
// most one piece of evidence and every failure is final for it.
import { isVcError } from '../../protocol/index.js';
import { fail } from '../errors.js';
import type { PlatformName } from '../platforms/types.js';
import { fromJsonBytes, jsonBytes, type StateStore } from '../../transport/index.js';

type SessionState = 'challenged' | 'appraising' | 'issued' | 'rejected';

export interface SessionRecord {
  readonly id: string;
  readonly computation: string;
  readonly platform: PlatformName;
  /** Lowercase hex SHA-256 of the policy. */
  readonly policyHash: string;
  readonly policyExpiry: string;
  readonly nonce: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly state: SessionState;
  readonly rejection?: string;
  readonly serial?: string;
}

const keyOf = (id: string): string => {
  if (!/^[0-9a-f]{32}$/.test(id))
    fail('ERR_ATTESTATION_SESSION_UNKNOWN', 'malformed attestation session id');
  return `session.${id}`;
};

export async function createSession(store: StateStore, record: SessionRecord): Promise<void> {
  await store.create(keyOf(record.id), jsonBytes(record));
}

/** Moves a `challenged` session to `appraising`; anything else means the nonce was already used. */
export async function consumeSession(store: StateStore, id: string): Promise<SessionRecord> {
  const entry = await store.get(keyOf(id));
  if (!entry)
    fail('ERR_ATTESTATION_SESSION_UNKNOWN', 'no such attestation session', { attestation: id });
  const record = fromJsonBytes<SessionRecord>(entry.value);
  if (record.state !== 'challenged') {
    fail('ERR_ATTESTATION_NONCE_REUSED', 'this challenge was already answered', {
      attestation: id,
      state: record.state,
    });
  }
  const consumed: SessionRecord = { ...record, state: 'appraising' };
  try {
    await store.update(keyOf(id), jsonBytes(consumed), entry.revision);
  } catch (error) {
    if (isVcError(error, 'ERR_STORE_CONFLICT')) {
      fail('ERR_ATTESTATION_NONCE_REUSED', 'this challenge is being answered concurrently', {
        attestation: id,
      });
    }
    throw error;
  }
  return consumed;
}

export async function finishSession(store: StateStore, record: SessionRecord): Promise<void> {
  await store.put(keyOf(record.id), jsonBytes(record));
}

/**
 * Deletes sessions whose challenge expired before `cutoff` (finished or abandoned alike); returns
 * how many. Sessions still `appraising` are kept, so an appraisal in flight never loses its record.
 */
export async function pruneSessions(store: StateStore, cutoff: Date): Promise<number> {
  let removed = 0;
  for (const [key, entry] of await store.entries('session.')) {
    const record = fromJsonBytes<SessionRecord>(entry.value);
    if (record.state !== 'appraising' && Date.parse(record.expiresAt) < cutoff.getTime()) {
      await store.delete(key);
      removed += 1;
    }
  }
  return removed;
}

// The computation registry (docs/operations.md): one entry per computation id, the single record of
// its lifecycle. It sits on transport's revisioned state store (transport/store/): JetStream KV
// bucket `<ns>_computations` (`vc_computations`) on NATS, a MemoryStore in the embedded mode. Creating an entry is atomic,
// so two launches of one policy cannot both hold it; the host holding a computation is the only
// writer of its entry afterwards (every write is a compare-and-set at the revision it last wrote,
// so a write after somebody else took the entry over fails instead of overwriting them).
import type { NatsConnection } from '@nats-io/transport-node';
import { fromJsonBytes, jsonBytes, KvStore, type StateStore } from '../../transport/index.js';
import {
  isErrorCode,
  isVcError,
  ProtocolError,
  subjectsFor,
  type ErrorCode,
  type Subjects,
  type VcError,
} from '../../protocol/index.js';

/** How often hosts refresh the heartbeat of the entries they hold. */
export const DEFAULT_HEARTBEAT_MS = 2_000;
/** A live entry whose heartbeat is older than this is treated as lost (its host is gone). */
const DEFAULT_STALE_AFTER_MS = 10_000;

export type ComputationState =
  'launching' | 'attested' | 'provisioning' | 'running' | 'finished' | 'failed' | 'stopped';

export type FinalState = Extract<ComputationState, 'finished' | 'failed' | 'stopped'>;

const FINAL: readonly ComputationState[] = ['finished', 'failed', 'stopped'];

export function isFinal(state: ComputationState): state is FinalState {
  return FINAL.includes(state);
}

export interface ComputationFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface ComputationRecord {
  readonly computation: string;
  readonly state: ComputationState;
  readonly host: string;
  readonly worker: string;
  readonly policyHash: string;
  readonly platform: string;
  /** Sender ids (`c:<fingerprint>`) of the policy's identities. */
  readonly participants: readonly string[];
  /** ISO 8601 times. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly heartbeatAt: string;
  readonly failure?: ComputationFailure;
}

/** An entry as a reader sees it: a live entry whose host stopped heartbeating reads as lost. */
export interface ComputationView extends ComputationRecord {
  /** True when the stored entry is live but its heartbeat is stale (shown failed/ERR_HOST_LOST). */
  readonly lost: boolean;
}

export type NewComputation = Pick<
  ComputationRecord,
  'computation' | 'host' | 'worker' | 'policyHash' | 'platform' | 'participants'
>;

export type EntryChange = Partial<Pick<ComputationRecord, 'state' | 'worker' | 'failure'>>;

export interface RegistryOptions {
  readonly store: StateStore;
  readonly clock?: () => Date;
  readonly staleAfterMs?: number;
}

const isConflict = (error: unknown): boolean =>
  (error as VcError | undefined)?.code === 'ERR_STORE_CONFLICT';

export class ComputationRegistry {
  readonly store: StateStore;
  readonly #clock: () => Date;
  readonly #staleAfterMs: number;

  constructor(options: RegistryOptions) {
    this.store = options.store;
    this.#clock = options.clock ?? (() => new Date());
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  }

  /** Live (not final) and its heartbeat is stale: the host holding it is gone. */
  isLost(record: ComputationRecord): boolean {
    return (
      !isFinal(record.state) &&
      this.#clock().getTime() - Date.parse(record.heartbeatAt) > this.#staleAfterMs
    );
  }

  /**
   * Creates the entry of a computation being launched. Refused with ERR_ALREADY_RUNNING while a live
   * entry with a fresh heartbeat holds the id; a final entry is replaced, and a lost one is first
   * marked failed/ERR_HOST_LOST, then replaced (both compare-and-set, so two launches racing for a
   * replaced entry still end with one holder).
   */
  async claim(init: NewComputation): Promise<RegistryEntry> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.#clock().toISOString();
      const record: ComputationRecord = {
        ...init,
        participants: [...init.participants],
        state: 'launching',
        createdAt: now,
        updatedAt: now,
        heartbeatAt: now,
      };
      const existing = await this.#read(init.computation);
      try {
        if (!existing) {
          const revision = await this.store.create(init.computation, jsonBytes(record));
          return new RegistryEntry(this, record, revision);
        }
        let revision = existing.revision;
        if (!isFinal(existing.record.state)) {
          if (!this.isLost(existing.record)) throw alreadyRunning(existing.record);
          revision = await this.store.update(
            init.computation,
            jsonBytes(lostRecord(existing.record, now)),
            revision,
          );
        }
        revision = await this.store.update(init.computation, jsonBytes(record), revision);
        return new RegistryEntry(this, record, revision);
      } catch (error) {
        if (!isConflict(error)) throw error;
        // Somebody else wrote the entry meanwhile: look again.
      }
    }
    throw new ProtocolError(
      'ERR_ALREADY_RUNNING',
      `computation ${init.computation} is being launched concurrently`,
      { details: { computation: init.computation } },
    );
  }

  /** One entry as readers see it; undefined when there is none. */
  async show(computation: string): Promise<ComputationView | undefined> {
    const found = await this.#read(computation);
    return found && this.#view(found.record);
  }

  /** Every entry, oldest first. */
  async list(): Promise<ComputationView[]> {
    return (await this.store.entries(''))
      .map(([, entry]) => this.#view(fromJsonBytes<ComputationRecord>(entry.value)))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Live computations whose policy names `senderId` among its identities: how a participant whose
   * policy differs slightly can be told which policy the enclave naming it runs.
   */
  async findComputationsNaming(senderId: string): Promise<ComputationView[]> {
    return (await this.list()).filter(
      (view) => !isFinal(view.state) && !view.lost && view.participants.includes(senderId),
    );
  }

  /**
   * Marks a lost entry failed/ERR_HOST_LOST (what `vc computations stop` does when the host holding
   * it is gone). Returns the entry as stored afterwards; a live or final one is left as it is.
   */
  async markLost(computation: string): Promise<ComputationView | undefined> {
    const found = await this.#read(computation);
    if (!found) return undefined;
    if (!this.isLost(found.record)) return this.#view(found.record);
    const lost = lostRecord(found.record, this.#clock().toISOString());
    try {
      await this.store.update(computation, jsonBytes(lost), found.revision);
      return this.#view(lost);
    } catch (error) {
      if (!isConflict(error)) throw error;
      return this.show(computation);
    }
  }

  /** Writes `next` over the entry at `revision`; undefined when somebody else wrote it since. */
  async write(record: ComputationRecord, revision: number): Promise<number | undefined> {
    try {
      return await this.store.update(record.computation, jsonBytes(record), revision);
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  now(): string {
    return this.#clock().toISOString();
  }

  async #read(
    computation: string,
  ): Promise<{ record: ComputationRecord; revision: number } | undefined> {
    const entry = await this.store.get(computation);
    return (
      entry && { record: fromJsonBytes<ComputationRecord>(entry.value), revision: entry.revision }
    );
  }

  #view(record: ComputationRecord): ComputationView {
    return this.isLost(record)
      ? { ...lostRecord(record, record.updatedAt), lost: true }
      : { ...record, lost: false };
  }
}

/**
 * The entry of a computation held by this host: every write is a compare-and-set at the revision
 * this host last wrote. A write that finds the entry changed by somebody else (an operator marked it
 * lost, another launch replaced it) returns false: this host no longer holds the computation.
 */
export class RegistryEntry {
  readonly #registry: ComputationRegistry;
  #record: ComputationRecord;
  #revision: number;
  #owned = true;
  /** Writes in order: a heartbeat and a state change never race each other's revision. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(registry: ComputationRegistry, record: ComputationRecord, revision: number) {
    this.#registry = registry;
    this.#record = record;
    this.#revision = revision;
  }

  get record(): ComputationRecord {
    return this.#record;
  }

  get owned(): boolean {
    return this.#owned;
  }

  /** Applies a change (state, worker, failure); resolves false when this host no longer holds it. */
  set(change: EntryChange): Promise<boolean> {
    return this.#queue(() => {
      const now = this.#registry.now();
      return { ...this.#record, ...change, updatedAt: now, heartbeatAt: now };
    });
  }

  /** Refreshes the heartbeat. */
  heartbeat(): Promise<boolean> {
    return this.#queue(() => ({ ...this.#record, heartbeatAt: this.#registry.now() }));
  }

  #queue(next: () => ComputationRecord): Promise<boolean> {
    const result = this.#tail.then(async () => {
      // A final entry is this host's last word on the computation.
      if (!this.#owned || isFinal(this.#record.state)) return false;
      const record = next();
      const revision = await this.#registry.write(record, this.#revision);
      if (revision === undefined) {
        this.#owned = false;
        return false;
      }
      this.#record = record;
      this.#revision = revision;
      return true;
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

function lostRecord(record: ComputationRecord, now: string): ComputationRecord {
  return {
    ...record,
    state: 'failed',
    updatedAt: now,
    failure: {
      code: 'ERR_HOST_LOST',
      message: `host ${record.host} stopped heartbeating (last at ${record.heartbeatAt})`,
    },
  };
}

function alreadyRunning(record: ComputationRecord): ProtocolError {
  return new ProtocolError(
    'ERR_ALREADY_RUNNING',
    `computation ${record.computation} is already ${record.state} on host ${record.host}, worker ${record.worker}`,
    {
      details: {
        computation: record.computation,
        host: record.host,
        worker: record.worker,
        state: record.state,
      },
    },
  );
}

/**
 * The code an `enclave.shutdown` reason starts with (the enclave sends its failure code, the host
 * `ERR_X: text`); ERR_ATTESTATION_FAILED when it names none.
 */
export function shutdownReasonCode(reason: string): ErrorCode {
  const code = /^(ERR_[A-Z0-9_]+)/.exec(reason)?.[1];
  return code !== undefined && isErrorCode(code) ? code : 'ERR_ATTESTATION_FAILED';
}

/**
 * The registry on NATS: JetStream KV bucket `<ns>_computations` (`vc_computations` in the default
 * namespace) on `connection` (created if missing, with `replicas` copies on a cluster). A server
 * without JetStream is ERR_NO_JETSTREAM.
 */
export async function openNatsRegistry(
  connection: NatsConnection,
  options: Omit<RegistryOptions, 'store'> & {
    readonly subjects?: Subjects;
    readonly replicas?: number;
  } = {},
): Promise<ComputationRegistry> {
  const { subjects = subjectsFor(), replicas, ...rest } = options;
  try {
    return new ComputationRegistry({
      ...rest,
      store: await KvStore.open(
        connection,
        subjects.computationsBucket,
        undefined,
        replicas === undefined ? {} : { replicas },
      ),
    });
  } catch (error) {
    if (isVcError(error, 'ERR_NATS_REPLICAS')) throw error;
    const cause = (error as { cause?: unknown }).cause;
    const text = `${(cause as Error | undefined)?.message ?? ''} ${String((cause as { code?: unknown } | undefined)?.code ?? '')}`;
    if (/jetstream|503|no responders/i.test(text))
      throw new ProtocolError(
        'ERR_NO_JETSTREAM',
        'the NATS server has no JetStream, which the computation registry needs (start nats-server with -js)',
        { cause: error },
      );
    throw error;
  }
}

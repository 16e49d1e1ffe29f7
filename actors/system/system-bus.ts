// The bus a running system (system.ts) is assembled on, with its journal: the only thing in which
// the embedded, NATS, cluster and scenario modes differ.
// - memoryBus(): the embedded default, one in-memory bus that every actor shares; every message
//   the journal records (`subjects.journal`, as the file and JetStream journals) is journaled in this
//   process: not liveness pings, not bulk chunk bytes.
// - natsBus(): one server or a cluster's servers; each actor gets a connection of its own, as
//   separate processes would have (with its own credentials when `authFor` names them). The
//   journal is the product's JetStream stream over its namespace (with a replica count on a
//   cluster), a recorder subscribed in this process on a connection of its own, or none.
import {
  type NatsAuth,
  type NatsConnectionSettings,
  type Transport,
  MemoryTransport,
  NatsTransport,
  ensureJournalStream,
  JetStreamJournalReader,
  makeRecord,
  matches,
  type JournalRecord,
} from '../../transport/index.js';

export interface SystemBus {
  /** This process's connection: the launcher and in-process participants use it. */
  readonly main: Transport;
  /** A connection for one actor (NATS: its own; in memory: the shared bus). */
  connect(name: string): Promise<Transport>;
  /** How enclave worker processes connect (URLs, TLS, namespace, the worker's credentials); undefined on the in-memory bus. */
  readonly nats: NatsConnectionSettings | undefined;
  /** Resolves once every connection's subscriptions and messages have reached the server. */
  flush(): Promise<void>;
  /** The messages journaled so far, in order; optionally one computation's. */
  journal(computation?: string): Promise<JournalRecord[]>;
  /** Closes every connection made by `connect` and the main one. */
  close(): Promise<void>;
}

interface Seen {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly time: number;
}

/** Messages kept in this process; records (and their unverified headers) are made when read. */
class InProcessJournal {
  readonly #seen: Seen[] = [];

  add(subject: string, data: Uint8Array): void {
    this.#seen.push({ subject, data, time: Date.now() });
  }

  records(computation?: string): JournalRecord[] {
    const filter = computation === undefined ? undefined : { computation };
    return this.#seen
      .map((m, i) => makeRecord(i + 1, m.time, m.subject, m.data))
      .filter((r) => matches(r, filter));
  }
}

export interface MemoryBusOptions {
  /**
   * Also called with every message as it is published (before delivery): a file journal appends it
   * there and then, so a run cut short still leaves everything so far (scenarios/run/embedded.ts).
   */
  readonly tap?: (subject: string, data: Uint8Array) => void;
  /** The namespace of its subjects (default `vc`). */
  readonly namespace?: string;
}

/** The embedded bus: every journaled message (replies on `<ns>.inbox.*` too) is journaled here. */
export function memoryBus(options: MemoryBusOptions = {}): SystemBus {
  const journal = new InProcessJournal();
  const bus: MemoryTransport = new MemoryTransport({
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    tap: (subject, data) => {
      if (bus.subjects.isJournaled(subject)) journal.add(subject, data);
      options.tap?.(subject, data);
    },
  });
  return {
    main: bus,
    connect: () => Promise.resolve(bus),
    nats: undefined,
    flush: () => bus.flush(),
    journal: (computation) => Promise.resolve(journal.records(computation)),
    close: () => bus.close(),
  };
}

type NatsJournal =
  /** The JetStream stream over the namespace, created if missing, read back from the server. */
  | { readonly kind: 'jetstream'; readonly replicas?: number }
  /** A subscriber on the namespace in this process (needs no JetStream on the server). */
  | { readonly kind: 'recorder' }
  | { readonly kind: 'none' };

export interface NatsBusOptions {
  /** One server or a cluster's servers. */
  readonly servers: string | readonly string[];
  readonly journal: NatsJournal;
  /** TLS, credentials and namespace of every connection (default: none, namespace `vc`). */
  readonly settings?: Omit<NatsConnectionSettings, 'servers'>;
  /**
   * An actor's own credentials, by the name it connects with: `vc-system` (the launcher and the
   * participants of this process), `vc-verifier`, `vc-host-<i>`, `vc-enclave` (each enclave
   * worker), `vc-host-journal` (makes the journal stream), `vc-journal` (the recorder and the
   * journal's reader), `vc-watch` (the scenario runner's live view). Undefined: `settings.auth`.
   */
  readonly authFor?: (name: string) => NatsAuth | undefined;
}

export async function natsBus(options: NatsBusOptions): Promise<SystemBus> {
  const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  const base: NatsConnectionSettings = { ...options.settings, servers };
  const settingsFor = (name: string): NatsConnectionSettings => {
    const auth = options.authFor?.(name) ?? base.auth;
    const { auth: _, ...rest } = base;
    return auth ? { ...rest, auth } : rest;
  };
  const connections: NatsTransport[] = [];
  const connect = async (name: string): Promise<NatsTransport> => {
    const connection = await NatsTransport.connect({ ...settingsFor(name), name });
    connections.push(connection);
    return connection;
  };
  const main = await connect('vc-system');
  const subjects = main.subjects;
  const reader = options.journal.kind === 'none' ? undefined : await connect('vc-journal');
  const recorded = options.journal.kind === 'recorder' ? new InProcessJournal() : undefined;
  const recorders =
    recorded && reader
      ? subjects.journal.map((pattern) =>
          reader.subscribe(pattern, (m) => recorded.add(m.subject, m.data)),
        )
      : [];
  // The services make the journal stream (as `vc host` and `vc verifier` do): a host's connection.
  if (options.journal.kind === 'jetstream')
    await ensureJournalStream((await connect('vc-host-journal')).connection, {
      subjects,
      ...(options.journal.replicas === undefined ? {} : { replicas: options.journal.replicas }),
    });
  const jetstream = options.journal.kind === 'jetstream';
  return {
    main,
    connect,
    nats: settingsFor('vc-enclave'),
    flush: async () => {
      await Promise.all(connections.map((c) => c.flush()));
    },
    journal: async (computation) => {
      await main.flush();
      await reader?.flush();
      if (recorded) return recorded.records(computation);
      if (!jetstream || !reader) return [];
      const records: JournalRecord[] = [];
      const journal = new JetStreamJournalReader(reader.connection, subjects.journalStream);
      for await (const r of journal.records(
        computation === undefined ? undefined : { computation },
      ))
        records.push(r);
      return records;
    },
    close: async () => {
      for (const recorder of recorders) recorder.unsubscribe();
      for (const c of connections.reverse()) await c.close().catch(() => undefined);
    },
  };
}

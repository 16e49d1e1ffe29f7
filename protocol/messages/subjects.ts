// NATS subjects, JetStream streams and KV buckets of the protocol (docs/protocol.md, Subjects): the
// one place that names them. Everything of one deployment lives under its namespace (default `vc`,
// `--namespace NAME`), so any number of deployments share one server: `<ns>.hosts.launch`,
// `<ns>.verifier`, `<ns>.c.<computation>.…`, the stream `<NS>_JOURNAL` and the buckets
// `<ns>_computations` and `<ns>_verifier`. The default namespace keeps the names every recorded
// history and older deployment uses (`vc.…`, VC_JOURNAL, vc_computations).
//
// One JetStream stream journals every protocol subject, request inboxes (`<ns>.inbox.<id>`)
// included, so that replies are recorded too. Liveness pings live under `<ns>.live.` and are NOT
// journaled: a subject the journal captures always has an interested party, so NATS can never
// answer "no responders" there; on `<ns>.live.` it can, and "is anyone there?" is answered in
// milliseconds instead of by a long timeout.
// docs/asyncapi.yaml's channels are built from these functions (scripts/build-asyncapi.ts, with
// placeholder tokens): a subject changed here changes the document (npm run build:asyncapi).

export const DEFAULT_NAMESPACE = 'vc';

/** A namespace is one subject token, lower case (stream names are its upper-case form). */
const NAMESPACE = /^[a-z][a-z0-9_-]{0,31}$/;
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** True for a valid namespace: a lower-case letter, then up to 31 of `a-z 0-9 _ -`. */
export function isNamespace(value: string): boolean {
  return NAMESPACE.test(value);
}

function token(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new RangeError(`${what} "${value}" is not a valid subject token`);
  return value;
}

/** Every subject, stream and bucket name of one namespace. Get one with `subjectsFor`. */
export class Subjects {
  readonly namespace: string;
  /** What the journal records: every protocol subject (all of `<ns>.>` except live and bulk). */
  readonly journal: readonly string[];
  /** Reply subjects of requests, under `<ns>.>` so that the journal records replies. */
  readonly inboxPrefix: string;
  /** Hosts subscribe here in one queue group (`hostsQueue`), so each launch reaches one host. */
  readonly hostsLaunch: string;
  readonly hostsQueue: string;
  /** Hosts answer liveness pings here (queue group `hostsQueue`): "is any host serving?" */
  readonly hostsLive: string;
  /** The verifier's request subject (challenges and evidence). */
  readonly verifier: string;
  /** The verifier answers liveness pings here. */
  readonly verifierLive: string;
  /** The JetStream stream of the journal. */
  readonly journalStream: string;
  /** The KV bucket of the computation registry (`vc computations`). */
  readonly computationsBucket: string;
  /** The KV bucket of the verifier's state (`vc verifier --store-nats`). */
  readonly verifierBucket: string;

  constructor(namespace: string) {
    if (!isNamespace(namespace))
      throw new RangeError(
        `namespace "${namespace}" is not valid (a lower-case letter, then up to 31 of a-z 0-9 _ -)`,
      );
    const ns = namespace;
    this.namespace = ns;
    this.journal = [`${ns}.c.>`, `${ns}.inbox.>`, `${ns}.hosts.>`, `${ns}.verifier`];
    this.inboxPrefix = `${ns}.inbox`;
    this.hostsLaunch = `${ns}.hosts.launch`;
    this.hostsQueue = `${ns}-hosts`;
    this.hostsLive = `${ns}.live.hosts`;
    this.verifier = `${ns}.verifier`;
    this.verifierLive = `${ns}.live.verifier`;
    this.journalStream = `${ns.toUpperCase()}_JOURNAL`;
    this.computationsBucket = `${ns}_computations`;
    this.verifierBucket = `${ns}_verifier`;
  }

  /** Operator requests to one host (`host.stop`), by its name. */
  hostControl(host: string): string {
    return `${this.namespace}.hosts.control.${token(host, 'host')}`;
  }

  /** Requests from participants to the enclave of a computation. */
  enclave(computation: string): string {
    return `${this.namespace}.c.${token(computation, 'computation')}.enclave`;
  }

  /** The enclave of a computation answers liveness pings here (not journaled; see the header). */
  live(computation: string): string {
    return `${this.namespace}.live.c.${token(computation, 'computation')}`;
  }

  /**
   * The sealed bytes of one chunk of a stream (docs/protocol.md, "Bulk chunks"). Outside the
   * journal on purpose: the journaled request or reply names the chunk's SHA-256 and size, and the
   * receiver refuses bytes of another digest, so the journal records no chunk ciphertext.
   */
  bulk(computation: string, purpose: 'upload' | 'result', stream: string, index: number): string {
    return `${this.namespace}.bulk.${token(computation, 'computation')}.${purpose}.${token(stream, 'stream')}.${index}`;
  }

  /** Every chunk of every stream of a computation, uploads and results, for a subscription. */
  bulkAll(computation: string): string {
    return `${this.namespace}.bulk.${token(computation, 'computation')}.>`;
  }

  /** Every chunk of one stream (`stream` `*`: of every stream) of that purpose, for a subscription. */
  bulkChunks(computation: string, purpose: 'upload' | 'result', stream: string): string {
    const streams = stream === '*' ? stream : token(stream, 'stream');
    return `${this.namespace}.bulk.${token(computation, 'computation')}.${purpose}.${streams}.*`;
  }

  /** Announcements by the enclave (`enclave.ready`, `enclave.shutdown`) and its host (`computation.ended`). */
  events(computation: string): string {
    return `${this.namespace}.c.${token(computation, 'computation')}.events`;
  }

  /** State transitions of one actor (observability and replay). */
  trace(computation: string, actor: string): string {
    return `${this.namespace}.c.${token(computation, 'computation')}.trace.${token(actor, 'actor')}`;
  }

  /** True for a subject the journal records (`journal`). */
  isJournaled(subject: string): boolean {
    return this.journal.some((pattern) => subjectMatches(pattern, subject));
  }
}

const byNamespace = new Map<string, Subjects>();

/** The names of one namespace (default `vc`); RangeError for an invalid namespace. */
export function subjectsFor(namespace: string = DEFAULT_NAMESPACE): Subjects {
  let subjects = byNamespace.get(namespace);
  if (!subjects) {
    subjects = new Subjects(namespace);
    byNamespace.set(namespace, subjects);
  }
  return subjects;
}

/** Where a journaled subject leads (see `subjectShape`). */
export type SubjectPlace =
  'launch' | 'host-control' | 'inbox' | 'verifier' | 'enclave' | 'events' | 'trace';

/**
 * What a journaled subject of any namespace is, read from its shape (`<ns>.c.<computation>.…`,
 * `<ns>.hosts.launch`, `<ns>.hosts.control.<host>`, `<ns>.inbox.…`, `<ns>.verifier`): a journal
 * holds one namespace's subjects, and replay reads it without being told which.
 */
export function subjectShape(subject: string): {
  readonly computation?: string;
  readonly place?: SubjectPlace;
} {
  const [, second, third, fourth, ...rest] = subject.split('.');
  if (second === 'c' && third !== undefined) {
    if (fourth === 'enclave' && rest.length === 0) return { computation: third, place: 'enclave' };
    if (fourth === 'events' && rest.length === 0) return { computation: third, place: 'events' };
    if (fourth === 'trace' && rest.length === 1) return { computation: third, place: 'trace' };
    return { computation: third };
  }
  if (second === 'hosts' && third === 'launch' && fourth === undefined) return { place: 'launch' };
  if (second === 'hosts' && third === 'control' && fourth !== undefined && rest.length === 0)
    return { place: 'host-control' };
  if (second === 'inbox' && third !== undefined) return { place: 'inbox' };
  if (second === 'verifier' && third === undefined) return { place: 'verifier' };
  return {};
}

/** The computation a subject belongs to, if it is `<ns>.c.<computation>.…`. */
export function computationOfSubject(subject: string): string | undefined {
  return subjectShape(subject).computation;
}

/** NATS subject matching: `*` matches one token, `>` one or more trailing tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/** Participants find their computation from their policy: the first 32 hex digits of its hash. */
export function computationIdFor(policyHash: string): string {
  return `p${policyHash.slice(0, 32)}`;
}

/**
 * The subject patterns of one computation and one host, for permissions and contracts
 * (transport/nats-permissions.ts, docs/nats-permissions.md): `computation` and `host` are a
 * token, `*` (any) or a placeholder shown in documents (`<computation>`); not for sending.
 */
export function subjectPatterns(
  subjects: Subjects,
  scope: { readonly computation: string; readonly host: string },
) {
  const ns = subjects.namespace;
  const c = `${ns}.c.${scope.computation}`;
  return {
    enclave: `${c}.enclave`,
    events: `${c}.events`,
    trace: (actor: string) => `${c}.trace.${actor}`,
    live: `${ns}.live.c.${scope.computation}`,
    bulk: (purpose: 'upload' | 'result') => `${ns}.bulk.${scope.computation}.${purpose}.>`,
    hostControl: `${ns}.hosts.control.${scope.host}`,
    inboxes: `${subjects.inboxPrefix}.>`,
  };
}

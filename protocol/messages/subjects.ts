// NATS subjects of the protocol (docs/protocol.md, Subjects). Everything lives under `vc.`. One
// JetStream stream journals every protocol subject, request inboxes (`vc.inbox.<id>`) included, so
// that replies are recorded too. Per-computation subjects sit under `vc.c.<computation>.`.
// Liveness pings live under `vc.live.` and are NOT journaled: a subject the journal captures always
// has an interested party, so NATS can never answer "no responders" there; on `vc.live.` it can, and
// "is anyone there?" is answered in milliseconds instead of by a long timeout.
// docs/asyncapi.yaml's channels are built from these functions (scripts/build-asyncapi.ts, with
// placeholder tokens): a subject changed here changes the document (npm run build:asyncapi).

const SUBJECT_ROOT = 'vc';
/** What the journal records: every protocol subject (all of `vc.>` except `vc.live.>`). */
export const JOURNAL_SUBJECTS = ['vc.c.>', 'vc.inbox.>', 'vc.hosts.>', 'vc.verifier'] as const;
/** Reply subjects of requests, under `vc.>` so that the journal records replies. */
export const INBOX_PREFIX = 'vc.inbox';
/** Hosts subscribe here in one queue group, so each launch reaches exactly one host. */
export const HOSTS_LAUNCH_SUBJECT = 'vc.hosts.launch';
export const HOSTS_QUEUE_GROUP = 'vc-hosts';
/** The verifier's request subject (challenges and evidence). */
export const VERIFIER_SUBJECT = 'vc.verifier';

/** Operator requests to one host (`host.stop`), by its name. */
export function hostControlSubject(host: string): string {
  return `vc.hosts.control.${token(host, 'host')}`;
}

/** Hosts answer liveness pings here (queue group HOSTS_QUEUE_GROUP): "is any host serving?" */
export const HOSTS_LIVE_SUBJECT = 'vc.live.hosts';
/** The verifier answers liveness pings here. */
export const VERIFIER_LIVE_SUBJECT = 'vc.live.verifier';

const TOKEN = /^[A-Za-z0-9_-]+$/;

function token(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new RangeError(`${what} "${value}" is not a valid subject token`);
  return value;
}

/** Requests from participants to the enclave of a computation. */
export function enclaveSubject(computation: string): string {
  return `vc.c.${token(computation, 'computation')}.enclave`;
}

/** The enclave of a computation answers liveness pings here (not journaled; see the header). */
export function liveSubject(computation: string): string {
  return `vc.live.c.${token(computation, 'computation')}`;
}

/**
 * The sealed bytes of one chunk of a stream (docs/protocol.md, "Bulk chunks"). Outside
 * JOURNAL_SUBJECTS on purpose: the journaled request or reply names the chunk's SHA-256 and size,
 * and the receiver refuses bytes of another digest, so the journal records no chunk ciphertext.
 */
export function bulkSubject(
  computation: string,
  purpose: 'upload' | 'result',
  stream: string,
  index: number,
): string {
  return `vc.bulk.${token(computation, 'computation')}.${purpose}.${token(stream, 'stream')}.${index}`;
}

/** True for a subject the journal records (JOURNAL_SUBJECTS). */
export function isJournaled(subject: string): boolean {
  return JOURNAL_SUBJECTS.some((pattern) => subjectMatches(pattern, subject));
}

/** Announcements by the enclave (`enclave.ready`, `enclave.shutdown`) and its host (`computation.ended`). */
export function eventsSubject(computation: string): string {
  return `vc.c.${token(computation, 'computation')}.events`;
}

/** State transitions of one actor (observability and replay). */
export function traceSubject(computation: string, actor: string): string {
  return `vc.c.${token(computation, 'computation')}.trace.${token(actor, 'actor')}`;
}

/** The computation a subject belongs to, if it is `vc.c.<computation>.…`. */
export function computationOfSubject(subject: string): string | undefined {
  const [root, c, computation] = subject.split('.');
  return root === SUBJECT_ROOT && c === 'c' ? computation : undefined;
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

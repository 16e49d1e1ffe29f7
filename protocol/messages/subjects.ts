// NATS subjects of the protocol (DESIGN, Wire). Everything lives under `vc.`, so one JetStream stream
// over `vc.>` journals it all. Per-computation subjects sit under `vc.c.<computation>.`.

export const SUBJECT_ROOT = 'vc';
/** Hosts subscribe here in one queue group, so each launch reaches exactly one host. */
export const HOSTS_LAUNCH_SUBJECT = 'vc.hosts.launch';
export const HOSTS_QUEUE_GROUP = 'vc-hosts';
/** The verifier's request subject (challenges and evidence). */
export const VERIFIER_SUBJECT = 'vc.verifier';

const TOKEN = /^[A-Za-z0-9_-]+$/;

function token(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new RangeError(`${what} "${value}" is not a valid subject token`);
  return value;
}

/** Requests from participants to the enclave of a computation. */
export function enclaveSubject(computation: string): string {
  return `vc.c.${token(computation, 'computation')}.enclave`;
}

/** Announcements by the enclave (`enclave.ready`, `enclave.shutdown`). */
export function eventsSubject(computation: string): string {
  return `vc.c.${token(computation, 'computation')}.events`;
}

/** State transitions of one actor (observability and replay). */
export function traceSubject(computation: string, actor: string): string {
  return `vc.c.${token(computation, 'computation')}.trace.${token(actor, 'actor')}`;
}

/** Everything of one computation, for journal readers. */
export function computationWildcard(computation: string): string {
  return `vc.c.${token(computation, 'computation')}.>`;
}

/** Participants find their computation from their policy: the first 32 hex digits of its hash. */
export function computationIdFor(policyHash: string): string {
  return `p${policyHash.slice(0, 32)}`;
}

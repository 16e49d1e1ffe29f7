// Subjects are namespaced per computation: `vc.c.<computation>.<role>[.<more>]`. Everything the
// system sends lives under `vc.>`, which is what the journal records; request inboxes are
// `vc.inbox.<id>` so that replies are recorded too.
import { computationPattern } from './envelope-layout.js';
import { TransportError } from './errors.js';

export const subjectRoot = 'vc';
export const journalSubjects = 'vc.>';
export const inboxPrefix = 'vc.inbox';

const tokenPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** `vc.c.<computation>.<role>.<...rest>`, each token checked (no dots, spaces or wildcards). */
export function computationSubject(computation: string, role: string, ...rest: string[]): string {
  if (!computationPattern.test(computation)) {
    throw new TransportError('ERR_ENVELOPE_MALFORMED', 'computation id is not a subject token', {
      details: { computation },
    });
  }
  for (const token of [role, ...rest]) {
    if (!tokenPattern.test(token)) {
      throw new TransportError('ERR_ENVELOPE_MALFORMED', 'subject token has forbidden characters', {
        details: { token },
      });
    }
  }
  return [subjectRoot, 'c', computation, role, ...rest].join('.');
}

/** The computation a subject belongs to, if it is `vc.c.<computation>.…`. */
export function computationOfSubject(subject: string): string | undefined {
  const [root, c, computation] = subject.split('.');
  return root === subjectRoot && c === 'c' ? computation : undefined;
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

// Body validation per message kind, against the one schema of each kind (bodies.ts). Called after
// the envelope signature has been verified and the body decoded (verify-then-use): a body that
// fails its schema is refused with ERR_BAD_MESSAGE.
import { BODY_SCHEMAS, type BodyOf, type MessageKind } from './bodies.js';
import { ProtocolError } from './errors.js';

/** Returns a description of what is wrong with `body` for `kind`, or undefined when it is valid. */
export function bodyProblem(kind: MessageKind, body: unknown): string | undefined {
  const schema = BODY_SCHEMAS[kind];
  return schema(body, 'body');
}

/** Narrows `body` to the shape of `kind`, or throws ERR_BAD_MESSAGE. */
export function validateBody<K extends MessageKind>(kind: K, body: unknown): BodyOf<K> {
  const problem = bodyProblem(kind, body);
  if (problem !== undefined) {
    throw new ProtocolError('ERR_BAD_MESSAGE', `${kind}: ${problem}`, {
      details: { kind },
    });
  }
  return body as BodyOf<K>;
}

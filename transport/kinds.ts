// Message kinds: each dotted lowercase name (`attest.challenge`, `provision.data`) has one body
// validator. Receivers refuse kinds nobody registered. The protocol's registry (`protocolKinds`)
// holds every kind of protocol/messages with its schema (`validateBody`, ERR_BAD_MESSAGE).
import { MESSAGE_KINDS, validateBody } from '../protocol/index.js';
import { TransportError } from './errors.js';

export type Validator<T> = (value: unknown, path?: string) => T;

export interface MessageKind<T> {
  readonly kind: string;
  readonly validate: Validator<T>;
}

/** Dotted lowercase with a namespace, clear of XState's reserved `xstate.*`. */
export const kindPattern = /^(?!xstate\.)[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

function defineKind<T>(kind: string, validate: Validator<T>): MessageKind<T> {
  if (!kindPattern.test(kind) || kind.length > 64) {
    throw new TransportError('ERR_UNKNOWN_KIND', 'kind must be dotted lowercase with a namespace', {
      details: { kind },
    });
  }
  return Object.freeze({ kind, validate });
}

export class KindRegistry {
  readonly #kinds = new Map<string, MessageKind<unknown>>();

  constructor(kinds: Iterable<MessageKind<unknown>> = []) {
    for (const k of kinds) this.add(k);
  }

  add(kind: MessageKind<unknown>): this {
    if (this.#kinds.has(kind.kind)) {
      throw new TransportError('ERR_UNKNOWN_KIND', 'kind registered twice', {
        details: { kind: kind.kind },
      });
    }
    this.#kinds.set(kind.kind, kind);
    return this;
  }

  /** Shorthand for `add(defineKind(kind, validate))`; returns the typed handle. */
  define<T>(kind: string, validate: Validator<T>): MessageKind<T> {
    const k = defineKind(kind, validate);
    this.add(k as MessageKind<unknown>);
    return k;
  }

  get(kind: string): MessageKind<unknown> {
    const k = this.#kinds.get(kind);
    if (!k)
      throw new TransportError('ERR_UNKNOWN_KIND', 'no schema registered for this kind', {
        details: { kind },
      });
    return k;
  }

  has(kind: string): boolean {
    return this.#kinds.has(kind);
  }

  /** Every registered kind: with `protocolKinds()`, every kind an endpoint can sign or open. */
  names(): string[] {
    return [...this.#kinds.keys()];
  }
}

let registry: KindRegistry | undefined;

/** The registry of every protocol message kind, each validated against its body schema. */
export function protocolKinds(): KindRegistry {
  if (!registry) {
    registry = new KindRegistry();
    for (const kind of MESSAGE_KINDS) registry.define(kind, (value) => validateBody(kind, value));
  }
  return registry;
}

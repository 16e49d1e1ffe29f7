// The verifier service (Veracruz's proxy attestation service) on the bus: each attestation session
// is a verifier machine; the attestation core (attestation/verifier) creates challenges, appraises
// evidence and issues certificates as the machine's effects. Replies are signed with the CA key, the
// policies' `proxy_service_cert`.
import { randomBytes } from 'node:crypto';
import { csrPublicPoint, type Verifier, type CaIdentity } from '../../attestation/index.js';
import {
  toVcError,
  ProtocolError,
  policyHash,
  readExpiry,
  asObject,
  parseStrictJson,
} from '../../protocol/index.js';
import { verifierMachine, type VerifierOutput } from '../../machines/index.js';
import {
  Endpoint,
  type Inbound,
  type Outbound,
  type Transport,
  type Unsubscribe,
} from '../runtime/endpoint.js';
import type { OperatorLog } from '../runtime/log.js';
import { keyFromSenderId, pointSenderId } from '../runtime/sender-ids.js';
import { Mailbox } from '../runtime/mailbox.js';
import { VERIFIER_SENDER_ID } from '../runtime/policy-keys.js';
import { TracedActor, unhandledOutput } from '../runtime/traced-actor.js';

export interface VerifierServiceOptions {
  readonly bus: Transport;
  readonly verifier: Verifier;
  /** The CA whose certificate policies name as proxy_service_cert; signs the service's replies. */
  readonly ca: CaIdentity;
  readonly clock?: () => Date;
  readonly trace?: boolean;
  /** Operator log: a line per request served and per state change. */
  readonly log?: OperatorLog;
}

export interface VerifierService {
  readonly sessions: ReadonlyMap<string, TracedActor<typeof verifierMachine>>;
  stop(): void;
}

interface Session {
  readonly actor: TracedActor<typeof verifierMachine>;
  readonly mailbox: Mailbox<Outbound>;
  timer: NodeJS.Timeout | undefined;
}

export function startVerifierService(options: VerifierServiceOptions): VerifierService {
  const clock = options.clock ?? (() => new Date());
  const endpoint = new Endpoint(
    options.bus,
    { id: VERIFIER_SENDER_ID, key: options.ca.privateKey },
    () => clock().getTime(),
    options.log,
  );
  const sessions = new Map<string, Session>();
  const actors = new Map<string, TracedActor<typeof verifierMachine>>();
  const expiries = new Map<string, Date>();

  /**
   * The policy's hash and `enclave_cert_expiry`, the only field the verifier acts on (it bounds the
   * certificate's lifetime). The enclave validates the whole policy and every participant its own
   * copy; the verifier reads just this field, once per policy.
   */
  function policyExpiry(bytes: Uint8Array): { hash: string; enclaveCertExpiry: number } {
    const hash = policyHash(bytes);
    let expiry = expiries.get(hash);
    if (!expiry) {
      const document = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      const field = asObject(
        asObject(document, '$')['enclave_cert_expiry'] ?? null,
        '$.enclave_cert_expiry',
      );
      expiry = readExpiry(field, '$.enclave_cert_expiry');
      if (expiries.size > 1024) expiries.clear();
      expiries.set(hash, expiry);
    }
    return { hash, enclaveCertExpiry: expiry.getTime() };
  }

  function open(computation: string): Session {
    const name = `verifier-${randomBytes(4).toString('hex')}`;
    const session: Session = {
      mailbox: new Mailbox<Outbound>(),
      timer: undefined,
      actor: new TracedActor({
        actor: name,
        machineId: 'verifier',
        machine: verifierMachine,
        input: { computation },
        ...(options.log ? { log: options.log } : {}),
        onOutput: (o) => effect(session, o),
        onTrace: (records) => {
          if (options.trace === false) return;
          void endpoint
            .publish(options.bus.subjects.trace(computation, name), computation, 'trace.batch', {
              records,
            })
            .catch(() => undefined);
        },
        onEffectError: (error) =>
          session.actor.send({ type: 'io.rejected', failure: toVcError(error).toWire() }),
      }),
    };
    return session;
  }

  async function effect(session: Session, o: VerifierOutput): Promise<void> {
    switch (o.type) {
      case 'do.challenge':
        try {
          const challenge = await options.verifier.challenge({
            computation: o.computation,
            platform: o.platform,
            policyHash: o.policyHash,
            enclaveCertExpiry: new Date(o.enclaveCertExpiry),
          });
          sessions.set(challenge.attestation, session);
          const ttl = Math.max(0, challenge.expiresAt - clock().getTime());
          session.timer = setTimeout(
            () => session.actor.send({ type: 'timer.expired' }),
            ttl,
          ).unref();
          session.actor.send({
            type: 'io.challenge',
            attestation: challenge.attestation,
            nonce: challenge.nonce,
            expiresAt: challenge.expiresAt,
          });
        } catch (error) {
          session.actor.send({ type: 'io.rejected', failure: toVcError(error).toWire() });
        }
        return;
      case 'do.appraise':
        try {
          checkCsrIsSender(o.submission.csr, o.enclave);
          const issued = await options.verifier.appraise(o.submission);
          session.actor.send({
            type: 'io.appraised',
            serial: issued.certificate.serialNumber,
            chain: issued.chain,
          });
        } catch (error) {
          session.actor.send({ type: 'io.rejected', failure: toVcError(error).toWire() });
        }
        return;
      case 'out.reply':
        session.mailbox.settle(o.ref, o);
        if (session.actor.done) {
          clearTimeout(session.timer);
          // The session is final; its record stays in the attestation store.
          for (const [id, open] of sessions) if (open === session) sessions.delete(id);
          actors.delete(session.actor.name);
        }
        return;
      default:
        return unhandledOutput(o);
    }
  }

  async function handle(m: Inbound): Promise<Outbound> {
    const ref = `${m.from}#${m.seq}`;
    switch (m.kind) {
      case 'attest.start': {
        // Read before the session exists: an unreadable policy is refused like a malformed body.
        const policy = policyExpiry(m.body.policy);
        const session = open(m.body.computation);
        actors.set(session.actor.name, session.actor);
        session.actor.start();
        const { platform, policyHash } = m.body;
        return session.mailbox.run(
          ref,
          () =>
            session.actor.send({
              type: 'attest.start',
              ref,
              from: m.from,
              platform,
              policyHash,
              policy,
            }),
          () => session.actor.done,
        );
      }
      case 'attest.evidence': {
        const session = sessions.get(m.body.attestation);
        if (!session || session.actor.done) {
          throw new ProtocolError(
            'ERR_ATTESTATION_FAILED',
            'no open attestation session for this sender',
          );
        }
        const submission = m.body;
        return session.mailbox.run(
          ref,
          () => session.actor.send({ type: 'attest.evidence', ref, from: m.from, submission }),
          () => session.actor.done,
        );
      }
      default:
        throw new ProtocolError('ERR_BAD_MESSAGE', `${m.kind} is not a request to the verifier`);
    }
  }

  const unsubscribe: Unsubscribe = endpoint.serve(
    options.bus.subjects.verifier,
    { keys: (from) => keyFromSenderId(from) },
    handle,
  );
  // "Is the verifier there?": answered at once, so an attesting enclave learns in milliseconds that
  // it is not (no responders), instead of waiting out a request timeout.
  const live = options.bus.subscribe(
    options.bus.subjects.verifierLive,
    (msg) => void msg.respond(new Uint8Array()),
  );
  return {
    sessions: actors,
    stop: () => {
      live.unsubscribe();
      unsubscribe();
      for (const s of sessions.values()) clearTimeout(s.timer);
    },
  };
}

/** The CSR's key must be the key that signed the request: the evidence and the sender are one enclave. */
function checkCsrIsSender(csrDer: Uint8Array, sender: string): void {
  if (pointSenderId(csrPublicPoint(csrDer)) !== sender) {
    throw new ProtocolError(
      'ERR_ATTESTATION_CSR_MISMATCH',
      'the CSR is not for the key that signed the evidence',
    );
  }
}

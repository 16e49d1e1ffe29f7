// The verifier service (Veracruz's proxy attestation service) on the bus: each attestation session
// is a verifier machine; the attestation core (attestation/verifier) creates challenges, appraises
// evidence and issues certificates as the machine's effects. Replies are signed with the CA key, the
// policies' `proxy_service_cert`.
import { randomBytes } from 'node:crypto';
import type { Verifier } from '../attestation/verifier/verifier.js';
import type { CaIdentity } from '../attestation/ca/ca-identity.js';
import { x509 } from '../protocol/identity/index.js';
import { verifierMachine } from '../machines/index.js';
import { toVcError } from '../protocol/errors.js';
import type { AttestEvidenceBody, AttestStartBody } from '../protocol/messages/bodies.js';
import { ProtocolError, ProtocolErrorCode } from '../protocol/messages/errors.js';
import { VERIFIER_SUBJECT, traceSubject } from '../protocol/messages/subjects.js';
import { policyHash } from '../protocol/policy/parse-policy.js';
import { readExpiry } from '../protocol/policy/expiry.js';
import { asObject } from '../protocol/policy/fields.js';
import { parseStrictJson } from '../protocol/policy/strict-json.js';
import { Endpoint, type Inbound, type Outbound } from './bus/endpoint.js';
import type { Transport, Unsubscribe } from './bus/endpoint.js';
import { keyFromSenderId, keySenderId } from './bus/sender-ids.js';
import { Mailbox } from './mailbox.js';
import { VERIFIER_SENDER_ID } from './policy-keys.js';
import { TracedActor, type Output } from './traced-actor.js';

export interface VerifierServiceOptions {
  readonly bus: Transport;
  readonly verifier: Verifier;
  /** The CA whose certificate policies name as proxy_service_cert; signs the service's replies. */
  readonly ca: CaIdentity;
  readonly clock?: () => Date;
  readonly trace?: boolean;
}

export interface VerifierService {
  readonly sessions: ReadonlyMap<string, TracedActor<typeof verifierMachine>>;
  stop(): void;
}

interface Session {
  readonly actor: TracedActor<typeof verifierMachine>;
  readonly enclave: string;
  readonly mailbox: Mailbox<Outbound>;
  nonce: Uint8Array;
  submission: AttestEvidenceBody | undefined;
  chain: readonly string[];
  timer: NodeJS.Timeout | undefined;
}

export function startVerifierService(options: VerifierServiceOptions): VerifierService {
  const clock = options.clock ?? (() => new Date());
  const endpoint = new Endpoint(
    options.bus,
    { id: VERIFIER_SENDER_ID, key: options.ca.privateKey },
    () => clock().getTime(),
  );
  const sessions = new Map<string, Session>();
  const actors = new Map<string, TracedActor<typeof verifierMachine>>();
  const expiries = new Map<string, Date>();

  /**
   * The policy's hash and `enclave_cert_expiry`, the only field the verifier acts on (it bounds the
   * certificate's lifetime). The enclave validates the whole policy and every participant its own
   * copy; the verifier reads just this field, once per policy.
   */
  function policyExpiry(bytes: Uint8Array): { hash: string; enclaveCertExpiry: Date } {
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
    return { hash, enclaveCertExpiry: expiry };
  }

  function open(m: Inbound, body: AttestStartBody): Session {
    const name = `verifier-${randomBytes(4).toString('hex')}`;
    const session: Session = {
      enclave: m.from,
      mailbox: new Mailbox<Outbound>(),
      nonce: new Uint8Array(),
      submission: undefined,
      chain: [],
      timer: undefined,
      actor: new TracedActor({
        actor: name,
        machineId: 'verifier',
        machine: verifierMachine,
        input: { computation: body.computation },
        onOutput: (o) => effect(session, body, o),
        onTrace: (record) => {
          if (options.trace === false) return;
          void endpoint
            .publish(
              traceSubject(body.computation, name),
              body.computation,
              'trace.transition',
              record,
            )
            .catch(() => undefined);
        },
        onEffectError: (error) =>
          session.actor.send({ type: 'io.rejected', failure: toVcError(error).toWire() }),
      }),
    };
    return session;
  }

  async function effect(session: Session, start: AttestStartBody, o: Output): Promise<void> {
    switch (o.type) {
      case 'do.challenge':
        try {
          const loaded = policyExpiry(start.policy);
          if (loaded.hash !== start.policyHash) {
            throw new ProtocolError(
              ProtocolErrorCode.POLICY_HASH_MISMATCH,
              'the policy bytes do not have the announced hash',
            );
          }
          const challenge = await options.verifier.challenge({
            computation: start.computation,
            platform: start.platform,
            policyHash: start.policyHash,
            enclaveCertExpiry: loaded.enclaveCertExpiry,
          });
          session.nonce = challenge.nonce;
          sessions.set(challenge.attestation, session);
          const ttl = Math.max(0, challenge.expiresAt - clock().getTime());
          session.timer = setTimeout(
            () => session.actor.send({ type: 'timer.expired' }),
            ttl,
          ).unref();
          session.actor.send({
            type: 'io.challenge',
            attestation: challenge.attestation,
            expiresAt: challenge.expiresAt,
          });
        } catch (error) {
          session.actor.send({ type: 'io.rejected', failure: toVcError(error).toWire() });
        }
        return;
      case 'do.appraise':
        try {
          const submission = session.submission!;
          await checkCsrIsSender(submission.csr, session.enclave);
          const issued = await options.verifier.appraise(submission);
          session.chain = issued.chain;
          session.actor.send({ type: 'io.appraised', serial: issued.certificate.serialNumber });
        } catch (error) {
          session.actor.send({ type: 'io.rejected', failure: toVcError(error).toWire() });
        }
        return;
      case 'out.reply': {
        const body = { ...(o.body as Record<string, unknown>) };
        if (o.kind === 'attest.challenge') body['nonce'] = session.nonce;
        if (o.kind === 'attest.certificate') body['chain'] = [...session.chain];
        session.mailbox.settle(o.ref as string, { kind: o.kind as string, body });
        if (session.actor.done) {
          clearTimeout(session.timer);
          // The session is final; its record stays in the attestation store.
          for (const [id, open] of sessions) if (open === session) sessions.delete(id);
          actors.delete(session.actor.name);
        }
        return;
      }
    }
  }

  async function handle(m: Inbound): Promise<Outbound> {
    const ref = `${m.from}#${m.seq}`;
    if (m.kind === 'attest.start') {
      const body = m.body as AttestStartBody;
      const session = open(m, body);
      actors.set(session.actor.name, session.actor);
      session.actor.start();
      return session.mailbox.run(
        ref,
        () =>
          session.actor.send({
            type: 'attest.start',
            ref,
            platform: body.platform,
            policyHash: body.policyHash,
          }),
        () => session.actor.done,
      );
    }
    if (m.kind === 'attest.evidence') {
      const body = m.body as AttestEvidenceBody;
      const session = sessions.get(body.attestation);
      if (!session || session.enclave !== m.from || session.actor.done) {
        throw new ProtocolError(
          ProtocolErrorCode.ATTESTATION_FAILED,
          'no open attestation session for this sender',
        );
      }
      session.submission = body;
      return session.mailbox.run(
        ref,
        () => session.actor.send({ type: 'attest.evidence', ref, attestation: body.attestation }),
        () => session.actor.done,
      );
    }
    throw new ProtocolError(
      ProtocolErrorCode.BAD_MESSAGE,
      `${m.kind} is not a request to the verifier`,
    );
  }

  const unsubscribe: Unsubscribe = endpoint.serve(
    VERIFIER_SUBJECT,
    { keys: (from) => keyFromSenderId(from) },
    handle,
  );
  return {
    sessions: actors,
    stop: () => {
      unsubscribe();
      for (const s of sessions.values()) clearTimeout(s.timer);
    },
  };
}

/** The CSR's key must be the key that signed the request: the evidence and the sender are one enclave. */
async function checkCsrIsSender(csrDer: Uint8Array, sender: string): Promise<void> {
  const csr = new x509.Pkcs10CertificateRequest(csrDer);
  const key = await csr.publicKey.export(
    { name: 'ECDSA', namedCurve: 'P-256' },
    ['verify'],
    globalThis.crypto as never,
  );
  if ((await keySenderId(key as never)) !== sender) {
    throw new ProtocolError(
      ProtocolErrorCode.ATTESTATION_CSR_MISMATCH,
      'the CSR is not for the key that signed the evidence',
    );
  }
}

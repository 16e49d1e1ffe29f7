// One attestation session at the verifier (phases 2 and 4). Nonce creation, appraisal and issuance
// are effects of attestation/ performed by the shell; the machine fixes their order, makes every
// rejection, and the expiry of a challenge, a final state, and decides every reply whole: the nonce
// and the certificate chain come back to it in `io.*` events.
import { assign, emit, setup } from 'xstate';
import type { AttestChallengeBody, AttestEvidenceBody, BodyOf } from '../protocol/index.js';
import { failure, type Failure } from './failure.js';

export interface VerifierInput {
  readonly computation: string;
}

export interface VerifierContext extends VerifierInput {
  ref: string;
  /** Sender id of the enclave that opened the session: only it may submit evidence. */
  enclave: string;
  attestation: string;
  platform: string;
  policyHash: string;
  failure: Failure | undefined;
}

export type VerifierEvent =
  | {
      type: 'attest.start';
      ref: string;
      from: string;
      platform: string;
      policyHash: string;
      /** What the shell read from the policy bytes sent: their hash and `enclave_cert_expiry` (ms). */
      policy: { hash: string; enclaveCertExpiry: number };
    }
  | { type: 'io.challenge'; attestation: string; nonce: Uint8Array; expiresAt: number }
  | { type: 'attest.evidence'; ref: string; from: string; submission: AttestEvidenceBody }
  | { type: 'io.appraised'; serial: string; chain: readonly string[] }
  | { type: 'io.rejected'; failure: Failure }
  | { type: 'timer.expired' };

/** The verifier's answer to a request, decided whole by the machine. */
type VerifierReply =
  | { kind: 'attest.challenge'; body: AttestChallengeBody }
  | { kind: 'attest.certificate'; body: BodyOf<'attest.certificate'> }
  | { kind: 'protocol.error'; body: BodyOf<'protocol.error'> };

export type VerifierOutput =
  | {
      type: 'do.challenge';
      computation: string;
      platform: string;
      policyHash: string;
      enclaveCertExpiry: number;
    }
  | { type: 'do.appraise'; enclave: string; submission: AttestEvidenceBody }
  | ({ type: 'out.reply'; ref: string } & VerifierReply);

const reply = (ref: string, answer: VerifierReply): VerifierOutput => ({
  type: 'out.reply',
  ref,
  ...answer,
});
const refusal = (ref: string, f: Failure): VerifierOutput =>
  reply(ref, { kind: 'protocol.error', body: { ...f } });

export const verifierMachine = setup({
  types: {
    input: {} as VerifierInput,
    context: {} as VerifierContext,
    events: {} as VerifierEvent,
    emitted: {} as VerifierOutput,
  },
  actions: {
    recordRejection: assign({
      failure: ({ event }) => (event as Extract<VerifierEvent, { type: 'io.rejected' }>).failure,
    }),
    replyRejection: emit(({ context, event }) =>
      refusal(context.ref, (event as Extract<VerifierEvent, { type: 'io.rejected' }>).failure),
    ),
  },
}).createMachine({
  id: 'verifier',
  context: ({ input }) => ({
    ...input,
    ref: '',
    enclave: '',
    attestation: '',
    platform: '',
    policyHash: '',
    failure: undefined,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'attest.start': [
          {
            guard: ({ event }) => event.policy.hash !== event.policyHash,
            target: 'rejected',
            actions: [
              assign({
                failure: () =>
                  failure(
                    'ERR_POLICY_HASH_MISMATCH',
                    'the policy bytes do not have the announced hash',
                  ),
              }),
              emit(({ context, event }) => refusal(event.ref, context.failure!)),
            ],
          },
          {
            target: 'challenging',
            actions: [
              assign({
                ref: ({ event }) => event.ref,
                enclave: ({ event }) => event.from,
                platform: ({ event }) => event.platform,
                policyHash: ({ event }) => event.policyHash,
              }),
              emit(({ context, event }) => ({
                type: 'do.challenge' as const,
                computation: context.computation,
                platform: event.platform,
                policyHash: event.policyHash,
                enclaveCertExpiry: event.policy.enclaveCertExpiry,
              })),
            ],
          },
        ],
      },
    },
    /** Phase 2: a fresh nonce for this session. */
    challenging: {
      on: {
        'io.challenge': {
          target: 'awaitingEvidence',
          actions: [
            assign({ attestation: ({ event }) => event.attestation }),
            emit(({ context, event }) =>
              reply(context.ref, {
                kind: 'attest.challenge',
                body: {
                  attestation: event.attestation,
                  nonce: event.nonce,
                  expiresAt: event.expiresAt,
                },
              }),
            ),
          ],
        },
        'io.rejected': { target: 'rejected', actions: ['recordRejection', 'replyRejection'] },
      },
    },
    awaitingEvidence: {
      on: {
        'attest.evidence': [
          {
            guard: ({ context, event }) => event.submission.attestation !== context.attestation,
            actions: emit(({ event }) =>
              refusal(event.ref, failure('ERR_ATTESTATION_FAILED', 'unknown attestation session')),
            ),
          },
          {
            guard: ({ context, event }) => event.from !== context.enclave,
            actions: emit(({ event }) =>
              refusal(
                event.ref,
                failure('ERR_ATTESTATION_FAILED', 'no open attestation session for this sender'),
              ),
            ),
          },
          {
            target: 'appraising',
            actions: [
              assign({ ref: ({ event }) => event.ref }),
              emit(({ context, event }) => ({
                type: 'do.appraise' as const,
                enclave: context.enclave,
                submission: event.submission,
              })),
            ],
          },
        ],
        'timer.expired': {
          target: 'expired',
          actions: assign({
            failure: () => failure('ERR_TIMEOUT', 'the challenge expired before evidence arrived'),
          }),
        },
      },
    },
    /** Phase 4: appraisal; success issues the enclave certificate. */
    appraising: {
      on: {
        'io.appraised': {
          target: 'issued',
          actions: emit(({ context, event }) =>
            reply(context.ref, {
              kind: 'attest.certificate',
              body: { attestation: context.attestation, chain: [...event.chain] },
            }),
          ),
        },
        'io.rejected': { target: 'rejected', actions: ['recordRejection', 'replyRejection'] },
      },
    },
    issued: { type: 'final' },
    /** Any binding mismatch is final for the session. */
    rejected: { type: 'final' },
    expired: { type: 'final' },
  },
});

// One attestation session at the verifier (phases 2 and 4). Nonce creation, appraisal and issuance
// are effects of attestation/ performed by the shell; the machine fixes their order and makes every
// rejection, and the expiry of a challenge, a final state.
import { assign, emit, setup } from 'xstate';
import { failure, type Failure } from './failure.js';

export interface VerifierInput {
  readonly computation: string;
}

export interface VerifierContext extends VerifierInput {
  ref: string;
  attestation: string;
  platform: string;
  policyHash: string;
  failure: Failure | undefined;
}

export type VerifierEvent =
  | { type: 'attest.start'; ref: string; platform: string; policyHash: string }
  | { type: 'io.challenge'; attestation: string; expiresAt: number }
  | { type: 'attest.evidence'; ref: string; attestation: string }
  | { type: 'io.appraised'; serial: string }
  | { type: 'io.rejected'; failure: Failure }
  | { type: 'timer.expired' };

export type VerifierOutput =
  | { type: 'do.challenge'; platform: string; policyHash: string }
  | { type: 'do.appraise'; attestation: string }
  | {
      type: 'out.reply';
      ref: string;
      kind: 'attest.challenge' | 'attest.certificate' | 'protocol.error';
      body: Record<string, unknown>;
    };

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
    replyRejection: emit(({ context, event }) => ({
      type: 'out.reply' as const,
      ref: context.ref,
      kind: 'protocol.error' as const,
      body: { ...(event as Extract<VerifierEvent, { type: 'io.rejected' }>).failure },
    })),
  },
}).createMachine({
  id: 'verifier',
  context: ({ input }) => ({
    ...input,
    ref: '',
    attestation: '',
    platform: '',
    policyHash: '',
    failure: undefined,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'attest.start': {
          target: 'challenging',
          actions: [
            assign({
              ref: ({ event }) => event.ref,
              platform: ({ event }) => event.platform,
              policyHash: ({ event }) => event.policyHash,
            }),
            emit(({ event }) => ({
              type: 'do.challenge' as const,
              platform: event.platform,
              policyHash: event.policyHash,
            })),
          ],
        },
      },
    },
    /** Phase 2: a fresh nonce for this session. */
    challenging: {
      on: {
        'io.challenge': {
          target: 'awaitingEvidence',
          actions: [
            assign({ attestation: ({ event }) => event.attestation }),
            emit(({ context, event }) => ({
              type: 'out.reply' as const,
              ref: context.ref,
              kind: 'attest.challenge' as const,
              body: { attestation: event.attestation, expiresAt: event.expiresAt },
            })),
          ],
        },
        'io.rejected': { target: 'rejected', actions: ['recordRejection', 'replyRejection'] },
      },
    },
    awaitingEvidence: {
      on: {
        'attest.evidence': [
          {
            guard: ({ context, event }) => event.attestation !== context.attestation,
            actions: emit(({ event }) => ({
              type: 'out.reply' as const,
              ref: event.ref,
              kind: 'protocol.error' as const,
              body: { ...failure('ERR_ATTESTATION_FAILED', 'unknown attestation session') },
            })),
          },
          {
            target: 'appraising',
            actions: [
              assign({ ref: ({ event }) => event.ref }),
              emit(({ context }) => ({
                type: 'do.appraise' as const,
                attestation: context.attestation,
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
          actions: emit(({ context }) => ({
            type: 'out.reply' as const,
            ref: context.ref,
            kind: 'attest.certificate' as const,
            body: { attestation: context.attestation },
          })),
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

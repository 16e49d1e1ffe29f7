// A participant (relying party): finds the enclave, has it checked (phase 6), then performs its plan
// of steps in order (phases 7 to 11). Structural guarantee: no step's request is emitted before the
// `io.enclave.verified` event, and a policy-hash mismatch is decided here, before any check passes.
// The enclave's public facts (its sender id, certificate chain, session and attested HPKE key)
// live in the context, and every step request names the enclave it goes to.
import { assign, emit, setup } from 'xstate';
import type { BodyOf, ComputeDoneBody, ProvisionMode, ResultDataBody } from '../protocol/index.js';
import { failure, type Failure } from './failure.js';

/** One thing a participant does; `source`/`destination` are labels the shell resolves (file names). */
export type Step =
  | { readonly op: 'program'; readonly path: string; readonly source: string }
  | {
      readonly op: 'data';
      readonly path: string;
      readonly source: string;
      readonly mode: ProvisionMode;
    }
  | { readonly op: 'compute'; readonly program: string }
  | { readonly op: 'pipeline'; readonly pipeline: string }
  | { readonly op: 'result'; readonly path: string; readonly destination: string }
  | { readonly op: 'shutdown' };

const STEP_REQUEST_KIND = {
  program: 'provision.program',
  data: 'provision.data',
  compute: 'compute.request',
  pipeline: 'compute.request',
  result: 'result.read',
  shutdown: 'shutdown.request',
} as const;

const STEP_REPLY_KIND = {
  program: 'provision.ack',
  data: 'provision.ack',
  compute: 'compute.done',
  pipeline: 'compute.done',
  result: 'result.data',
  shutdown: 'shutdown.ack',
} as const;

export interface ParticipantInput {
  readonly computation: string;
  readonly participant: number;
  readonly policyHash: string;
  readonly steps: readonly Step[];
}

/** The enclave a participant talks to, as announced (and, once verified, attested). */
export interface EnclaveFacts {
  /** Its sender id: a self-certifying key id, checked against the certificate in phase 6. */
  readonly id: string;
  readonly session: string;
  readonly chain: readonly string[];
  /** The attested HPKE key uploads are sealed to (empty until phase 6 passed). */
  readonly hpkeKey: Uint8Array;
}

/** A step's successful reply, as the shell reports it once the step's I/O is done. */
export type StepReplyEvent =
  | { type: 'provision.ack'; ref: string; body: Pick<BodyOf<'provision.ack'>, 'path' | 'received'> }
  | { type: 'compute.done'; ref: string; body: ComputeDoneBody }
  /** The result was opened and handed to its destination; only its size is reported. */
  | { type: 'result.data'; ref: string; body: Omit<ResultDataBody, 'sealed'> }
  | { type: 'shutdown.ack'; ref: string; body: BodyOf<'shutdown.ack'> };

export interface StepOutcome {
  readonly step: number;
  readonly kind: StepReplyEvent['type'];
  readonly body: Readonly<Record<string, unknown>>;
}

export interface ParticipantContext extends ParticipantInput {
  enclave: EnclaveFacts;
  step: number;
  outcomes: readonly StepOutcome[];
  failure: Failure | undefined;
}

export type ParticipantEvent =
  | {
      type: 'enclave.ready';
      /** The announcing sender. */
      from: string;
      session: string;
      policyHash: string;
      platform: string;
      chain: readonly string[];
    }
  | { type: 'io.enclave.verified'; hpkeKey: Uint8Array }
  | { type: 'io.enclave.rejected'; failure: Failure }
  | { type: 'io.failed'; failure: Failure }
  | { type: 'protocol.error'; ref: string; failure: Failure }
  | StepReplyEvent;

export type ParticipantOutput =
  | { type: 'out.request'; ref: string; kind: 'session.hello' }
  | { type: 'do.verify-enclave'; enclave: EnclaveFacts }
  | {
      type: 'out.request';
      ref: string;
      kind: (typeof STEP_REQUEST_KIND)[Step['op']];
      step: Step;
      to: EnclaveFacts;
    }
  | { type: 'do.done'; outcomes: readonly StepOutcome[] }
  | { type: 'do.stop'; failure: Failure };

const stepRef = (index: number) => `step-${index}`;
const currentStep = (c: ParticipantContext) => c.steps[c.step] as Step;

const replyMatches = (c: ParticipantContext, e: ParticipantEvent) =>
  'ref' in e && e.ref === stepRef(c.step) && e.type === STEP_REPLY_KIND[currentStep(c).op];

const replyTransitions = Object.fromEntries(
  Object.values(STEP_REPLY_KIND).map((kind) => [
    kind,
    [
      { guard: 'unexpectedReply', target: '#participant.failed', actions: 'failUnexpected' },
      { guard: 'lastStep', target: '#participant.done', actions: 'recordOutcome' },
      { target: 'working', reenter: true, actions: ['recordOutcome', 'nextStep'] },
    ],
  ]),
);

export const participantMachine = setup({
  types: {
    input: {} as ParticipantInput,
    context: {} as ParticipantContext,
    events: {} as ParticipantEvent,
    emitted: {} as ParticipantOutput,
  },
  guards: {
    policyHashDiffers: ({ context, event }) =>
      event.type === 'enclave.ready' && event.policyHash !== context.policyHash,
    unexpectedReply: ({ context, event }) => !replyMatches(context, event),
    lastStep: ({ context }) => context.step + 1 >= context.steps.length,
    noSteps: ({ context }) => context.steps.length === 0,
  },
  actions: {
    fail: assign({ failure: ({ event }) => ('failure' in event ? event.failure : undefined) }),
    failUnexpected: assign({
      failure: ({ event }) => failure('ERR_BAD_MESSAGE', `unexpected ${event.type} reply`),
    }),
    recordOutcome: assign({
      outcomes: ({ context, event }) => [
        ...context.outcomes,
        {
          step: context.step,
          kind: (event as StepReplyEvent).type,
          body: { ...(event as StepReplyEvent).body },
        },
      ],
    }),
    nextStep: assign({ step: ({ context }) => context.step + 1 }),
    recordHpkeKey: assign({
      enclave: ({ context, event }) =>
        event.type === 'io.enclave.verified'
          ? { ...context.enclave, hpkeKey: event.hpkeKey }
          : context.enclave,
    }),
  },
}).createMachine({
  id: 'participant',
  context: ({ input }) => ({
    ...input,
    enclave: { id: '', session: '', chain: [], hpkeKey: new Uint8Array() },
    step: 0,
    outcomes: [],
    failure: undefined,
  }),
  initial: 'connecting',
  on: { 'io.failed': { target: '.failed', actions: 'fail' } },
  states: {
    /** Phase 5 (receiving side): ask the enclave for its certificate chain and session. */
    connecting: {
      entry: emit({ type: 'out.request', ref: 'hello', kind: 'session.hello' }),
      on: {
        'enclave.ready': [
          {
            guard: 'policyHashDiffers',
            target: 'refused',
            actions: assign({
              failure: () =>
                failure('ERR_POLICY_HASH_MISMATCH', 'the enclave runs a different policy'),
            }),
          },
          {
            target: 'checking',
            actions: assign({
              enclave: ({ event }) => ({
                id: event.from,
                session: event.session,
                chain: [...event.chain],
                hpkeKey: new Uint8Array(),
              }),
            }),
          },
        ],
        'protocol.error': { target: 'failed', actions: 'fail' },
      },
    },
    /** Phase 6: chain, validity, measurement (performed by the shell, reported as an event). */
    checking: {
      entry: emit(({ context }) => ({
        type: 'do.verify-enclave' as const,
        enclave: context.enclave,
      })),
      on: {
        'io.enclave.verified': [
          { guard: 'noSteps', target: 'done', actions: 'recordHpkeKey' },
          { target: 'working', actions: 'recordHpkeKey' },
        ],
        'io.enclave.rejected': { target: 'refused', actions: 'fail' },
      },
    },
    /** Phases 7 to 11: one step in flight at a time. */
    working: {
      entry: emit(({ context }) => ({
        type: 'out.request' as const,
        ref: stepRef(context.step),
        kind: STEP_REQUEST_KIND[currentStep(context).op],
        step: currentStep(context),
        to: context.enclave,
      })),
      on: { ...replyTransitions, 'protocol.error': { target: 'failed', actions: 'fail' } },
    },
    done: {
      type: 'final',
      entry: emit(({ context }) => ({ type: 'do.done' as const, outcomes: context.outcomes })),
    },
    /** Phase 6 failed: nothing secret was sent. */
    refused: {
      type: 'final',
      entry: emit(({ context }) => ({ type: 'do.stop' as const, failure: context.failure! })),
    },
    failed: {
      type: 'final',
      entry: emit(({ context }) => ({ type: 'do.stop' as const, failure: context.failure! })),
    },
  },
});

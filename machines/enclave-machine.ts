// The enclave worker (runtime manager) as an explicit machine: phases 3 to 11 of docs/architecture.md as states.
// Pure: keys, evidence, the virtual file system and execution are effects (`do.*` outputs) that
// actors/ performs and answers with `io.*` events; messages leave as `out.*` outputs, replies whole.
import { assign, emit, setup } from 'xstate';
import type {
  EnclaveEvent,
  EnclaveOutput,
  EnclaveReply,
  EnclaveRequestEvent,
} from './enclave-events.js';
import {
  checkProvision,
  checkRead,
  checkShutdown,
  isFailure,
  planCompute,
  shutdownWaitingFor,
} from './enclave-rules.js';
import { failure, type Failure } from './failure.js';
import type { PolicyView } from './policy-view.js';

export interface EnclaveInput {
  readonly computation: string;
  readonly policyHash: string;
  readonly platform: string;
  readonly view: PolicyView;
}

export interface EnclaveContext extends EnclaveInput {
  session: string;
  attestation: string;
  /** The verifier's challenge, bound into the evidence. */
  nonce: Uint8Array;
  chain: readonly string[];
  files: readonly string[];
  executions: number;
  shutdownVotes: readonly number[];
  /** Path (or execution target) of the request in flight and, for an upload, its size. */
  pending: { readonly path: string; readonly size: number };
  failure: Failure | undefined;
}

type Ev<T extends EnclaveEvent['type']> = Extract<EnclaveEvent, { type: T }>;
type Req = EnclaveRequestEvent;
type ComputePlan = Exclude<ReturnType<typeof planCompute>, Failure>;

const reply = (ref: string, answer: EnclaveReply): EnclaveOutput => ({
  type: 'out.reply',
  ref,
  ...answer,
});
const refusal = (ref: string, f: Failure): EnclaveOutput =>
  reply(ref, { kind: 'protocol.error', body: { ...f } });
const readyBody = (c: EnclaveContext) => ({
  session: c.session,
  policyHash: c.policyHash,
  platform: c.platform,
  chain: [...c.chain],
});

/** Request kinds answered with ERR_WRONG_PHASE before the enclave is ready. */
const tooEarly = Object.fromEntries(
  [
    'session.hello',
    'provision.program',
    'provision.data',
    'compute.request',
    'result.read',
    'shutdown.request',
  ].map((kind) => [
    kind,
    {
      actions: emit(({ event }: { event: EnclaveEvent }) =>
        refusal((event as Req).ref, failure('ERR_WRONG_PHASE', 'the enclave is not ready yet')),
      ),
    },
  ]),
);

export const enclaveMachine = setup({
  types: {
    input: {} as EnclaveInput,
    context: {} as EnclaveContext,
    events: {} as EnclaveEvent,
    emitted: {} as EnclaveOutput,
  },
  guards: {
    provisionRefused: ({ context, event }) =>
      checkProvision(context, event as Ev<'provision.program'>) !== undefined,
    computeRefused: ({ context, event }) =>
      isFailure(planCompute(context, event as Ev<'compute.request'>)),
    readRefused: ({ context, event }) =>
      checkRead(context, event as Ev<'result.read'>) !== undefined,
    shutdownRefused: ({ context, event }) =>
      checkShutdown(context, event as Ev<'shutdown.request'>) !== undefined,
    lastShutdownVote: ({ context, event }) =>
      shutdownWaitingFor(context.view, [
        ...context.shutdownVotes,
        (event as Ev<'shutdown.request'>).from,
      ]).length === 0,
  },
  actions: {
    fail: assign({
      failure: ({ event }) =>
        'failure' in event
          ? event.failure
          : failure('ERR_ATTESTATION_FAILED', `unexpected ${event.type}`),
    }),
  },
}).createMachine({
  id: 'enclave',
  context: ({ input }) => ({
    ...input,
    session: '',
    attestation: '',
    nonce: new Uint8Array(),
    chain: [],
    files: [],
    executions: 0,
    shutdownVotes: [],
    pending: { path: '', size: 0 },
    failure: undefined,
  }),
  initial: 'keying',
  on: { ...tooEarly, 'io.failed': { target: '.failed', actions: 'fail' } },
  states: {
    /** Phase 3 (first half): signing key, HPKE key and CSR are generated inside the enclave. */
    keying: {
      entry: emit({ type: 'do.keys' }),
      on: {
        'io.keys.ready': {
          target: 'challenging',
          actions: assign({ session: ({ event }) => event.session }),
        },
      },
    },
    /** Phase 2: ask the verifier for a fresh nonce. */
    challenging: {
      entry: emit(({ context }) => ({
        type: 'out.request' as const,
        to: 'verifier' as const,
        kind: 'attest.start' as const,
        body: {
          computation: context.computation,
          platform: context.platform,
          policyHash: context.policyHash,
        },
      })),
      on: {
        'attest.challenge': {
          target: 'evidencing',
          actions: assign({
            attestation: ({ event }) => event.attestation,
            nonce: ({ event }) => event.nonce,
          }),
        },
        'protocol.error': { target: 'failed', actions: 'fail' },
      },
    },
    /** Phase 3: evidence binding nonce, CSR hash, measurement and policy hash. */
    evidencing: {
      entry: emit(({ context }) => ({
        type: 'do.evidence' as const,
        attestation: context.attestation,
        nonce: context.nonce,
      })),
      on: {
        'io.evidence.ready': {
          target: 'appraising',
          actions: emit(({ context, event }) => ({
            type: 'out.request' as const,
            to: 'verifier' as const,
            kind: 'attest.evidence' as const,
            body: {
              attestation: context.attestation,
              platform: context.platform,
              evidence: event.evidence,
              csr: event.csr,
            },
          })),
        },
      },
    },
    /** Phase 4: the verifier appraises and, on success, issues the enclave certificate. */
    appraising: {
      on: {
        'attest.certificate': {
          target: 'ready',
          actions: assign({ chain: ({ event }) => [...event.chain] }),
        },
        'protocol.error': { target: 'failed', actions: 'fail' },
      },
    },
    /** Phase 5: announce certificate chain, policy hash and session. */
    ready: {
      entry: emit(({ context }) => ({
        type: 'out.publish' as const,
        kind: 'enclave.ready' as const,
        body: readyBody(context),
      })),
      always: 'serving',
    },
    /** Phases 7 to 11: one request at a time (the shell queues the rest). */
    serving: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            'session.hello': {
              actions: emit(({ context, event }) =>
                reply(event.ref, { kind: 'enclave.ready', body: readyBody(context) }),
              ),
            },
            'provision.program': [
              {
                guard: 'provisionRefused',
                actions: emit(({ context, event }) =>
                  refusal(event.ref, checkProvision(context, event)!),
                ),
              },
              {
                target: 'writing',
                actions: [
                  assign({ pending: ({ event }) => ({ path: event.path, size: event.size }) }),
                  emit(({ event }) => ({
                    type: 'do.write' as const,
                    ref: event.ref,
                    path: event.path,
                    mode: 'write' as const,
                    data: event.data,
                  })),
                ],
              },
            ],
            'provision.data': [
              {
                guard: 'provisionRefused',
                actions: emit(({ context, event }) =>
                  refusal(event.ref, checkProvision(context, event)!),
                ),
              },
              {
                target: 'writing',
                actions: [
                  assign({ pending: ({ event }) => ({ path: event.path, size: event.size }) }),
                  emit(({ event }) => ({
                    type: 'do.write' as const,
                    ref: event.ref,
                    path: event.path,
                    mode: event.mode,
                    data: event.data,
                  })),
                ],
              },
            ],
            'compute.request': [
              {
                guard: 'computeRefused',
                actions: emit(({ context, event }) =>
                  refusal(event.ref, planCompute(context, event) as Failure),
                ),
              },
              {
                target: 'executing',
                actions: [
                  assign({
                    pending: ({ context, event }) => ({
                      path: (planCompute(context, event) as ComputePlan).target,
                      size: 0,
                    }),
                  }),
                  emit(({ context, event }) => ({
                    type: 'do.execute' as const,
                    ref: event.ref,
                    from: event.from,
                    ...(planCompute(context, event) as ComputePlan),
                  })),
                ],
              },
            ],
            'result.read': [
              {
                guard: 'readRefused',
                actions: emit(({ context, event }) =>
                  refusal(event.ref, checkRead(context, event)!),
                ),
              },
              {
                target: 'reading',
                actions: [
                  assign({ pending: ({ event }) => ({ path: event.path, size: 0 }) }),
                  emit(({ event }) => ({
                    type: 'do.read' as const,
                    ref: event.ref,
                    path: event.path,
                    replyKey: event.replyKey,
                  })),
                ],
              },
            ],
            'shutdown.request': [
              {
                guard: 'shutdownRefused',
                actions: emit(({ context, event }) =>
                  refusal(event.ref, checkShutdown(context, event)!),
                ),
              },
              {
                guard: 'lastShutdownVote',
                target: '#enclave.shutDown',
                actions: [
                  emit(({ event }) =>
                    reply(event.ref, {
                      kind: 'shutdown.ack',
                      body: { shutDown: true, waitingFor: [] },
                    }),
                  ),
                  emit(({ context }) => ({
                    type: 'out.publish' as const,
                    kind: 'enclave.shutdown' as const,
                    body: { session: context.session, reason: 'requested' },
                  })),
                  emit({ type: 'do.stop', reason: 'requested' }),
                ],
              },
              {
                actions: [
                  assign({
                    shutdownVotes: ({ context, event }) => [
                      ...new Set([...context.shutdownVotes, event.from]),
                    ],
                  }),
                  emit(({ context, event }) =>
                    reply(event.ref, {
                      kind: 'shutdown.ack',
                      body: {
                        shutDown: false,
                        waitingFor: [
                          ...shutdownWaitingFor(context.view, [
                            ...context.shutdownVotes,
                            event.from,
                          ]),
                        ],
                      },
                    }),
                  ),
                ],
              },
            ],
          },
        },
        /** Phases 7 and 8: the shell writes the opened bytes into the virtual file system. */
        writing: {
          on: {
            'io.written': {
              target: 'idle',
              actions: [
                assign({ files: ({ context }) => addFile(context.files, context.pending.path) }),
                emit(({ context, event }) =>
                  reply(event.ref, {
                    kind: 'provision.ack',
                    body: {
                      path: context.pending.path,
                      received: context.pending.size,
                      complete: true,
                    },
                  }),
                ),
              ],
            },
            'io.write.failed': {
              target: 'idle',
              actions: emit(({ event }) => refusal(event.ref, event.failure)),
            },
          },
        },
        /** Phase 9: the program (or pipeline) runs with the program principal's rights. */
        executing: {
          on: {
            'io.executed': [
              {
                guard: ({ event }) => event.exitCode !== 0,
                target: 'idle',
                actions: [
                  assign({
                    files: ({ context, event }) => mergeFiles(context.files, event.files),
                    executions: ({ context }) => context.executions + 1,
                  }),
                  emit(({ event }) =>
                    refusal(
                      event.ref,
                      failure('ERR_PROGRAM_FAILED', `the program exited with ${event.exitCode}`, {
                        exitCode: event.exitCode,
                      }),
                    ),
                  ),
                ],
              },
              {
                target: 'idle',
                actions: [
                  assign({
                    files: ({ context, event }) => mergeFiles(context.files, event.files),
                    executions: ({ context }) => context.executions + 1,
                  }),
                  emit(({ context, event }) =>
                    reply(event.ref, {
                      kind: 'compute.done',
                      body: { target: context.pending.path, exitCode: event.exitCode },
                    }),
                  ),
                ],
              },
            ],
            'io.execute.failed': {
              target: 'idle',
              actions: emit(({ event }) => refusal(event.ref, event.failure)),
            },
          },
        },
        /** Phase 10: the shell seals the file to the reader's ephemeral key. */
        reading: {
          on: {
            'io.read': {
              target: 'idle',
              actions: emit(({ context, event }) =>
                reply(event.ref, {
                  kind: 'result.data',
                  body: { path: context.pending.path, sealed: event.sealed, size: event.size },
                }),
              ),
            },
            'io.read.failed': {
              target: 'idle',
              actions: emit(({ event }) => refusal(event.ref, event.failure)),
            },
          },
        },
      },
    },
    /** Phase 11. */
    shutDown: { type: 'final' },
    failed: {
      type: 'final',
      entry: emit(({ context }) => ({
        type: 'do.stop' as const,
        reason: context.failure?.code ?? 'failed',
      })),
    },
  },
});

function addFile(files: readonly string[], path: string): readonly string[] {
  return files.includes(path) ? files : [...files, path];
}

function mergeFiles(files: readonly string[], more: readonly string[]): readonly string[] {
  return [...new Set([...files, ...more])];
}

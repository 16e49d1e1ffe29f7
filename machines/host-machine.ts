// One launch at a host (phase 1): the host is untrusted and only starts an enclave worker for a
// policy; it never sees plaintext. Spawning is an effect; its outcome arrives as an event.
import { assign, emit, setup } from 'xstate';
import type { BodyOf, HostLaunchedBody } from '../protocol/index.js';
import { failure, type Failure } from './failure.js';

export interface HostInput {
  readonly host: string;
}

export interface HostContext extends HostInput {
  ref: string;
  computation: string;
  worker: string;
  failure: Failure | undefined;
}

export type HostEvent =
  | { type: 'host.launch'; ref: string; computation: string; platform: string; policyHash: string }
  | { type: 'io.spawned'; worker: string }
  | { type: 'io.spawn.failed'; failure: Failure }
  | { type: 'enclave.ready'; session: string }
  | { type: 'io.exited'; exitCode: number };

export type HostOutput =
  | { type: 'do.spawn'; computation: string; platform: string; policyHash: string }
  | { type: 'out.reply'; ref: string; kind: 'host.launched'; body: HostLaunchedBody }
  | { type: 'out.reply'; ref: string; kind: 'protocol.error'; body: BodyOf<'protocol.error'> }
  /** A worker that died before it was ready: whoever waits for its enclave stops waiting. */
  | { type: 'out.publish'; kind: 'enclave.shutdown'; body: BodyOf<'enclave.shutdown'> };

export const hostMachine = setup({
  types: {
    input: {} as HostInput,
    context: {} as HostContext,
    events: {} as HostEvent,
    emitted: {} as HostOutput,
  },
}).createMachine({
  id: 'host',
  context: ({ input }) => ({ ...input, ref: '', computation: '', worker: '', failure: undefined }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'host.launch': {
          target: 'spawning',
          actions: [
            assign({
              ref: ({ event }) => event.ref,
              computation: ({ event }) => event.computation,
            }),
            emit(({ event }) => ({
              type: 'do.spawn' as const,
              computation: event.computation,
              platform: event.platform,
              policyHash: event.policyHash,
            })),
          ],
        },
      },
    },
    /** Phase 1: an enclave worker process (or thread) is starting. */
    spawning: {
      on: {
        'io.spawned': {
          target: 'running',
          actions: [
            assign({ worker: ({ event }) => event.worker }),
            emit(({ context, event }) => ({
              type: 'out.reply' as const,
              ref: context.ref,
              kind: 'host.launched' as const,
              body: { computation: context.computation, host: context.host, worker: event.worker },
            })),
          ],
        },
        'io.spawn.failed': {
          target: 'failed',
          actions: [
            assign({
              failure: ({ event }) =>
                failure('ERR_LAUNCH_FAILED', event.failure.message, { cause: event.failure.code }),
            }),
            emit(({ context }) => ({
              type: 'out.reply' as const,
              ref: context.ref,
              kind: 'protocol.error' as const,
              body: { ...context.failure! },
            })),
          ],
        },
      },
    },
    /** The worker attests and serves; the host only watches it. */
    running: {
      on: {
        'enclave.ready': 'serving',
        'io.exited': [
          {
            guard: ({ event }) => event.exitCode !== 0,
            target: 'failed',
            actions: [
              assign({
                failure: ({ event }) =>
                  failure('ERR_LAUNCH_FAILED', `the worker exited with ${event.exitCode}`),
              }),
              emit(({ event }) => ({
                type: 'out.publish' as const,
                kind: 'enclave.shutdown' as const,
                body: {
                  session: 'none',
                  reason: `ERR_LAUNCH_FAILED: worker exited with ${event.exitCode}`,
                },
              })),
            ],
          },
          { target: 'exited' },
        ],
      },
    },
    serving: {
      on: {
        'io.exited': [
          {
            guard: ({ event }) => event.exitCode !== 0,
            target: 'failed',
            actions: assign({
              failure: ({ event }) =>
                failure('ERR_LAUNCH_FAILED', `the worker exited with ${event.exitCode}`),
            }),
          },
          { target: 'exited' },
        ],
      },
    },
    exited: { type: 'final' },
    failed: { type: 'final' },
  },
});

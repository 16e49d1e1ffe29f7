// `vc computations stop` as a function: an operator action executed by the host holding the
// computation (a `host.stop` request on its control subject): it ends the worker, marks the entry
// `stopped` and announces `computation.ended`. When that host is gone (its heartbeat is stale), the
// entry is marked failed/ERR_HOST_LOST here instead.
import { ProtocolError, toVcError } from '../../protocol/index.js';
import { Endpoint, expectReply, type Transport } from '../runtime/endpoint.js';
import { keyFromSenderId } from '../runtime/sender-ids.js';
import { isFinal, type ComputationRegistry, type ComputationView } from './computation-registry.js';

export interface StopOptions {
  readonly bus: Transport;
  readonly registry: ComputationRegistry;
  readonly computation: string;
  /** How long the host has to answer (default 10 s). */
  readonly timeoutMs?: number;
}

export interface StopOutcome {
  /** The entry afterwards. */
  readonly entry: ComputationView;
  /** `stopped`: the host ended it; `lost`: its host was gone, marked failed/ERR_HOST_LOST; `ended`: it had already ended. */
  readonly outcome: 'stopped' | 'lost' | 'ended';
}

export async function stopComputation(options: StopOptions): Promise<StopOutcome> {
  const { registry, computation } = options;
  const entry = await registry.show(computation);
  if (!entry) throw unknown(computation);
  if (entry.lost) return lost(registry, computation);
  if (isFinal(entry.state)) return { entry, outcome: 'ended' };
  const endpoint = await Endpoint.withFreshKey(options.bus, Date.now);
  try {
    const reply = await endpoint.request(
      options.bus.subjects.hostControl(entry.host),
      computation,
      'host.stop',
      { computation },
      { keys: keyFromSenderId, timeoutMs: options.timeoutMs ?? 10_000, attempts: 1 },
    );
    expectReply(reply, 'host.stopped');
  } catch (error) {
    const failure = toVcError(error);
    if (failure.code !== 'ERR_TIMEOUT' && failure.code !== 'ERR_NO_RESPONDERS') throw failure;
    // The host did not answer: if its heartbeat is stale by now, it is gone.
    const now = await registry.show(computation);
    if (now?.lost) return lost(registry, computation);
    if (now && isFinal(now.state)) return { entry: now, outcome: 'ended' };
    throw new ProtocolError(
      'ERR_HOST_LOST',
      `host ${entry.host} did not answer the stop request; its entry reads as lost once its heartbeat is stale`,
      { cause: failure, details: { computation, host: entry.host, worker: entry.worker } },
    );
  }
  const after = await registry.show(computation);
  if (!after) throw unknown(computation);
  return { entry: after, outcome: 'stopped' };
}

async function lost(registry: ComputationRegistry, computation: string): Promise<StopOutcome> {
  const entry = await registry.markLost(computation);
  if (!entry) throw unknown(computation);
  return { entry, outcome: 'lost' };
}

function unknown(computation: string): ProtocolError {
  return new ProtocolError(
    'ERR_COMPUTATION_UNKNOWN',
    `no computation ${computation} in the registry`,
    {
      details: { computation },
    },
  );
}

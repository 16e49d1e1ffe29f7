// "Is the enclave of this computation there?" A running enclave answers pings on
// `bus.subjects.live(computation)` with a small plain-msgpack answer. That subject is not journaled, so
// on NATS a ping with nobody subscribed fails at once with "no responders" instead of waiting out
// a timeout. The answer is unsigned on purpose: it only decides how fast a participant gives up
// (no enclave, another policy, enclave gone); trust still comes from the phase 6 check alone.
import {
  LIVENESS_SCHEMAS,
  isVcError,
  ProtocolError,
  type LivenessAnswer,
} from '../../protocol/index.js';
import { decodePlain, encodePlain, type Transport } from '../../transport/index.js';

/** The enclave side: answers pings until the returned function is called. */
export function answerLiveness(
  bus: Transport,
  computation: string,
  answer: () => LivenessAnswer,
): () => void {
  const sub = bus.subscribe(bus.subjects.live(computation), (msg) => {
    msg.respond(encodePlain(answer()));
  });
  return () => sub.unsubscribe();
}

/**
 * One ping: the answer, or undefined when nobody answered (no responders, no reply within
 * `timeoutMs`, connection trouble). Never throws for an absent enclave.
 */
export async function pingEnclave(
  bus: Transport,
  computation: string,
  timeoutMs = 2000,
): Promise<LivenessAnswer | undefined> {
  let reply: Uint8Array;
  try {
    reply = await bus.request(bus.subjects.live(computation), encodePlain({ computation }), {
      timeoutMs,
    });
  } catch (error) {
    if (isVcError(error, 'ERR_TRANSPORT_CLOSED')) throw error;
    return undefined;
  }
  const value = decodePlain(reply);
  const problem = LIVENESS_SCHEMAS.answer(value, 'answer');
  if (problem !== undefined)
    throw new ProtocolError('ERR_BAD_MESSAGE', `a liveness answer of the wrong shape: ${problem}`, {
      details: { computation },
    });
  return value as LivenessAnswer;
}

// `vc launch` as a function: asks the host pool to start an enclave for a policy, waits until the
// enclave has announced itself, and checks the announcement exactly as a participant would
// (phase 6), so "launched" means "attested and ready". It fails fast: no host serving is
// ERR_NO_HOSTS at once (a ping on the non-journaled liveness subject gets "no responders"), and a
// launch that ends before it is ready reports the host's or the enclave's code (a refused
// measurement, an unavailable verifier, ERR_ALREADY_RUNNING) rather than a generic one.
// The request is signed by `signer`: a participant of the policy or an operator key the hosts trust
// (actors/runtime/launch-authority.ts); hosts refuse anyone else with ERR_LAUNCH_NOT_AUTHORIZED.
// A busy host (ERR_HOST_BUSY) is asked again once, so that another host of the queue group may
// take the launch.
import { checkEnclaveCertificate, type AttestedEnclave } from '../../attestation/index.js';
import {
  toVcError,
  type EnclaveReadyBody,
  ProtocolError,
  type VcError,
  computationIdFor,
  type LoadedPolicy,
} from '../../protocol/index.js';
import { Endpoint, expectReply, type Signer, type Transport } from '../runtime/endpoint.js';
import { keyFromSenderId, senderIdIsKey } from '../runtime/sender-ids.js';
import { shutdownReasonCode } from '../registry/computation-registry.js';

export interface LaunchOptions {
  readonly bus: Transport;
  readonly policy: LoadedPolicy;
  /** Who signs the launch request: a participant of the policy, or an operator key hosts trust. */
  readonly signer: Signer;
  readonly platform?: string;
  readonly computation?: string;
  readonly timeoutMs?: number;
  readonly clock?: () => Date;
  /** Run the phase 6 check on the announcement (default true; tests of participant refusals turn it off). */
  readonly verify?: boolean;
}

export interface Launched {
  readonly computation: string;
  readonly host: string;
  readonly worker: string;
  readonly ready: EnclaveReadyBody;
  /** Absent when `verify: false`. */
  readonly enclave?: AttestedEnclave;
}

/** How long a host has to answer the liveness ping. */
const HOSTS_PING_MS = 2_000;

/** Refuses with ERR_NO_HOSTS when no host answers on the liveness subject. */
async function requireHosts(bus: Transport): Promise<void> {
  try {
    await bus.request(bus.subjects.hostsLive, new Uint8Array(), { timeoutMs: HOSTS_PING_MS });
  } catch (error) {
    const cause = toVcError(error);
    if (cause.code !== 'ERR_NO_RESPONDERS' && cause.code !== 'ERR_TIMEOUT') throw cause;
    throw new ProtocolError('ERR_NO_HOSTS', 'no host serves launch requests on this bus', {
      cause,
      details: { subject: bus.subjects.hostsLive },
    });
  }
}

export async function launchComputation(options: LaunchOptions): Promise<Launched> {
  const clock = options.clock ?? (() => new Date());
  const computation = options.computation ?? computationIdFor(options.policy.hash);
  const endpoint = new Endpoint(options.bus, options.signer, () => clock().getTime());
  const timeoutMs = options.timeoutMs ?? 60_000;
  await requireHosts(options.bus);
  let stop = () => {};
  const announced = new Promise<{ from: string; body: EnclaveReadyBody }>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new ProtocolError('ERR_TIMEOUT', `no enclave announced itself within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    // Both announcements are unauthenticated by nature (the enclave has no certificate yet, hosts
    // hold none): they only end the wait, never grant anything.
    const unsubscribe = endpoint.subscribe(
      options.bus.subjects.events(computation),
      keyFromSenderId,
      (m) => {
        if (m.kind === 'enclave.shutdown') {
          const reason = m.body.reason;
          clearTimeout(timer);
          reject(
            new ProtocolError(
              shutdownReasonCode(reason),
              `the enclave stopped before it was ready: ${reason}`,
              { details: { reason } },
            ),
          );
        }
        if (m.kind === 'computation.ended') {
          clearTimeout(timer);
          reject(
            new ProtocolError(
              m.body.code ?? 'ERR_LAUNCH_FAILED',
              `the computation ended (${m.body.state}) before it was ready: ${m.body.message}`,
              { details: { host: m.body.host, worker: m.body.worker, state: m.body.state } },
            ),
          );
        }
        if (m.kind !== 'enclave.ready') return;
        clearTimeout(timer);
        resolve({ from: m.from, body: m.body });
      },
    );
    stop = () => {
      clearTimeout(timer);
      unsubscribe();
    };
  });
  announced.catch(() => undefined);
  try {
    const request = () =>
      endpoint.request(
        options.bus.subjects.hostsLaunch,
        computation,
        'host.launch',
        {
          policy: options.policy.bytes,
          platform: options.platform ?? 'sim',
          computation,
          // The host abandons the launch when this launcher has stopped waiting.
          deadlineMs: Math.min(timeoutMs, 2 ** 31),
        },
        { keys: keyFromSenderId, timeoutMs },
      );
    let reply = await request();
    // A busy host: once more (a new request, so a new seq), another host of the queue group may answer.
    if (reply.kind === 'protocol.error' && reply.body.code === 'ERR_HOST_BUSY')
      reply = await request();
    const launched = expectReply(reply, 'host.launched');
    const { from, body } = await announced;
    if (options.verify === false)
      return { computation, host: launched.host, worker: launched.worker, ready: body };
    try {
      const enclave = await checkEnclaveCertificate({
        chain: body.chain,
        policy: options.policy,
        now: clock(),
      });
      if (!(await senderIdIsKey(from, enclave.signingKey))) {
        throw new ProtocolError(
          'ERR_ENCLAVE_KEY_MISMATCH',
          'the announcement is not signed by the certified key',
        );
      }
      return { computation, host: launched.host, worker: launched.worker, ready: body, enclave };
    } catch (error) {
      // An enclave the launcher refuses must not keep running: its host ends it, failed with the code.
      await refuseEnclave(endpoint, launched.host, computation, toVcError(error));
      throw error;
    }
  } catch (error) {
    throw toVcError(error);
  } finally {
    stop();
  }
}

/** Best effort: asks the host to end a refused enclave (the refusal stands whatever it answers). */
async function refuseEnclave(
  endpoint: Endpoint,
  host: string,
  computation: string,
  refusal: VcError,
): Promise<void> {
  try {
    await endpoint.request(
      endpoint.transport.subjects.hostControl(host),
      computation,
      'host.stop',
      { computation, failure: { code: refusal.code, message: refusal.message.slice(0, 1024) } },
      { keys: keyFromSenderId, timeoutMs: 5_000, attempts: 1 },
    );
  } catch {
    // The host is gone or does not answer: its registry entry reads as lost soon enough.
  }
}

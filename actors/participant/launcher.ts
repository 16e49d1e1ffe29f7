// `vc launch` as a function: asks the host pool to start an enclave for a policy, waits until the
// enclave has announced itself, and checks the announcement exactly as a participant would
// (phase 6), so "launched" means "attested and ready".
import { checkEnclaveCertificate, type AttestedEnclave } from '../../attestation/index.js';
import {
  toVcError,
  type EnclaveReadyBody,
  ProtocolError,
  HOSTS_LAUNCH_SUBJECT,
  computationIdFor,
  eventsSubject,
  type LoadedPolicy,
} from '../../protocol/index.js';
import { Endpoint, expectReply, type Transport } from '../runtime/endpoint.js';
import { keyFromSenderId, senderIdIsKey } from '../runtime/sender-ids.js';

export interface LaunchOptions {
  readonly bus: Transport;
  readonly policy: LoadedPolicy;
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

export async function launchComputation(options: LaunchOptions): Promise<Launched> {
  const clock = options.clock ?? (() => new Date());
  const computation = options.computation ?? computationIdFor(options.policy.hash);
  const endpoint = await Endpoint.withFreshKey(options.bus, () => clock().getTime());
  const timeoutMs = options.timeoutMs ?? 60_000;
  let stop = () => {};
  const announced = new Promise<{ from: string; body: EnclaveReadyBody }>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new ProtocolError('ERR_TIMEOUT', `no enclave announced itself within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    const unsubscribe = endpoint.subscribe(eventsSubject(computation), keyFromSenderId, (m) => {
      if (m.kind === 'enclave.shutdown') {
        // Unauthenticated by nature (the enclave has no certificate yet): it only ends the wait.
        const reason = m.body.reason;
        clearTimeout(timer);
        reject(
          new ProtocolError(
            'ERR_ATTESTATION_FAILED',
            `the enclave stopped before it was ready: ${reason}`,
            { details: { reason } },
          ),
        );
      }
      if (m.kind !== 'enclave.ready') return;
      clearTimeout(timer);
      resolve({ from: m.from, body: m.body });
    });
    stop = () => {
      clearTimeout(timer);
      unsubscribe();
    };
  });
  announced.catch(() => undefined);
  try {
    const reply = await endpoint.request(
      HOSTS_LAUNCH_SUBJECT,
      computation,
      'host.launch',
      { policy: options.policy.bytes, platform: options.platform ?? 'sim', computation },
      { keys: keyFromSenderId, timeoutMs },
    );
    const launched = expectReply(reply, 'host.launched');
    const { from, body } = await announced;
    if (options.verify === false)
      return { computation, host: launched.host, worker: launched.worker, ready: body };
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
    throw toVcError(error);
  } finally {
    stop();
  }
}

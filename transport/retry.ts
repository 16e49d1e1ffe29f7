// Requests retried with exponential backoff. Only transient failures are retried (timeout, no
// responders, connection trouble); a refusal from the peer is an answer, not a failure.
import { isVcError } from '../protocol/index.js';
import type { RetryPolicy } from './transport.js';

const retryable = new Set(['ERR_TIMEOUT', 'ERR_NO_RESPONDERS', 'ERR_TRANSPORT_DISCONNECTED']);

function isRetryable(error: unknown): boolean {
  return isVcError(error) && retryable.has(error.code);
}

export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy | undefined,
): Promise<T> {
  const attempts = Math.max(1, policy?.attempts ?? (policy ? 5 : 1));
  const sleep = policy?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let delay = policy?.initialDelayMs ?? 100;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= attempts || !isRetryable(error)) throw error;
      policy?.onRetry?.(n, error);
      await sleep(delay);
      delay = Math.min(policy?.maxDelayMs ?? 2000, delay * (policy?.factor ?? 2));
    }
  }
}

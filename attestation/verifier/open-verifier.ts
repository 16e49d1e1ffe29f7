// Builds a Verifier from files and a store location: what `vc verifier` and the embedded mode call.
import { readFile } from 'node:fs/promises';
import { caFromPem } from '../ca/ca-identity.js';
import { openStateStore, type StoreLocation } from '../store/open-store.js';
import { systemClock, systemRandom, type Clock, type RandomBytes } from './deps.js';
import { Verifier, type PolicyResolver, type VerifierConfig } from './verifier.js';

export interface OpenVerifierOptions {
  readonly store: StoreLocation;
  /** PEM files of the verifier CA (the policy's proxy_service_cert) and its PKCS#8 key. */
  readonly caCertificateFile: string;
  readonly caKeyFile: string;
  readonly config?: Partial<VerifierConfig>;
  readonly clock?: Clock;
  readonly random?: RandomBytes;
  readonly policies?: PolicyResolver;
}

/** Opens the store and loads the CA; `close()` releases the store (and its NATS connection). */
export async function openVerifier(
  options: OpenVerifierOptions,
): Promise<{ verifier: Verifier; close: () => Promise<void> }> {
  const ca = await caFromPem(
    await readFile(options.caCertificateFile, 'utf8'),
    await readFile(options.caKeyFile, 'utf8'),
  );
  const store = await openStateStore(options.store);
  const verifier = new Verifier({
    store,
    ca,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    ...(options.config ? { config: options.config } : {}),
    ...(options.policies ? { policies: options.policies } : {}),
  });
  return { verifier, close: () => store.close() };
}

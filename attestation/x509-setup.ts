// @peculiar/x509 needs reflect-metadata loaded first and a WebCrypto provider; every attestation
// module that uses it imports this file instead of the package directly.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** The WebCrypto type @peculiar/x509 expects (the DOM `Crypto`, absent from our lib settings). */
export type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[0];
export const x509Crypto = webcrypto as unknown as X509Crypto;

x509.cryptoProvider.set(x509Crypto);

export { x509 };

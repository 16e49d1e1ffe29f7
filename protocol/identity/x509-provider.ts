// @peculiar/x509 needs reflect-metadata loaded first and a WebCrypto provider. Every module of the
// project that uses it (identities here, attestation's CA and verifiers, the enclave's keys) imports
// `x509` from here, through protocol/index.ts, so the set-up happens exactly once, before
// any use.
// The project compiles without the DOM lib, so the WebCrypto types come from node:crypto.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export type WebCrypto = webcrypto.Crypto;
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** Node's WebCrypto: the default provider everywhere in protocol/identity. */
export const nodeCrypto: WebCrypto = webcrypto;

x509.cryptoProvider.set(nodeCrypto as never);

export { x509 };

// Shared fixtures for the machine tests: a small policy view in Veracruz's usual shape.
import { RIGHTS_EXECUTE, RIGHTS_READ, RIGHTS_WRITE } from '../../protocol/index.js';
import type { EnclaveEvent } from '../enclave-events.js';
import type { EnclaveInput } from '../enclave-machine.js';
import type { PolicyView } from '../policy-view.js';

export const PROGRAM = '/program/linear-regression.wasm';

export const view: PolicyView = {
  participants: [
    { id: 0, rights: [{ path: '/program/', rights: RIGHTS_WRITE }] },
    { id: 1, rights: [{ path: '/input/', rights: RIGHTS_WRITE }] },
    {
      id: 2,
      rights: [
        { path: '/program/', rights: RIGHTS_EXECUTE },
        { path: '/output/', rights: RIGHTS_READ },
      ],
    },
  ],
  programs: [PROGRAM, '/program/a.wasm', '/program/b.wasm'],
  pipelines: [{ name: 'ab', programs: ['/program/a.wasm', '/program/b.wasm'] }],
  fileHashes: { [PROGRAM]: 'ab'.repeat(32) },
  shutdown: { rule: 'any' },
};

export const enclaveInput: EnclaveInput = {
  computation: 'p1',
  policyHash: 'cd'.repeat(32),
  platform: 'sim',
  view,
};

export const NONCE = new Uint8Array([1, 2, 3]);
export const EVIDENCE = new Uint8Array([7, 8]);
export const CSR = new Uint8Array([9]);

/** Events that take an enclave from start to serving. */
export const toServing: readonly EnclaveEvent[] = [
  { type: 'io.keys.ready', session: 's1' },
  { type: 'attest.challenge', attestation: 'a1', nonce: NONCE },
  { type: 'io.evidence.ready', evidence: EVIDENCE, csr: CSR },
  { type: 'attest.certificate', chain: ['-----BEGIN CERTIFICATE-----\n'] },
];

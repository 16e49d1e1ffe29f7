import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity, writeIdentityFiles } from '../../protocol/index.js';
import { fromHex } from '../bytes.js';
import {
  createSimAttester,
  generateSimAttestationKey,
  measureRuntime,
  prepareAttestation,
} from '../../enclave/index.js';
import { openVerifier } from './open-verifier.js';

test('openVerifier: a CA made by protocol/identity (vc identity ca) and a file store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-open-verifier-'));
  try {
    const identity = await createIdentity({
      name: 'verifier',
      ca: true,
      now: new Date(Date.now() - 60_000),
    });
    const files = await writeIdentityFiles(dir, 'verifier', identity);
    const opened = await openVerifier({
      store: { kind: 'file', path: join(dir, 'state.json') },
      caCertificateFile: files.certificate,
      caKeyFile: files.key,
      config: { allowSimulation: true },
    });
    const simKey = await generateSimAttestationKey();
    await opened.verifier.registry.addKey('sim', simKey.publicKeyPem);
    const { measurement } = await measureRuntime();
    await opened.verifier.registry.addReference('sim', measurement);
    const policyHash = 'ab'.repeat(32);
    const challenge = await opened.verifier.challenge({
      computation: 'c',
      platform: 'sim',
      policyHash,
      enclaveCertExpiry: new Date(Date.now() + 86400_000),
    });
    const prepared = await prepareAttestation({
      attester: await createSimAttester(simKey),
      nonce: challenge.nonce,
      policyHash: fromHex(policyHash),
      measurement,
    });
    const issued = await opened.verifier.appraise({
      attestation: challenge.attestation,
      platform: 'sim',
      evidence: prepared.evidence,
      csr: prepared.csr,
    });
    assert.equal(issued.certificate.issuer, identity.certificate.subject);
    assert.ok(
      await issued.certificate.verify({
        publicKey: identity.certificate.publicKey,
        signatureOnly: true,
      }),
    );
    await opened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

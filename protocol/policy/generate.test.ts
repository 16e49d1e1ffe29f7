import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import {
  enforceLeadingSlash,
  generatePolicyText,
  nitroHashFromPcrFile,
  normalizeIdentityPem,
  parseCapability,
  parseTimepoint,
} from './generate.js';
import { formatRights } from './rights.js';

interface VeracruzRights {
  file_name: string;
  rights: number;
}

/** A certificate as a PEM file holds it: 64-column lines and a final newline. */
function asPemFile(pem: string): string {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  return `-----BEGIN CERTIFICATE-----\n${(body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Capabilities as one would type them: shorthand letters where they fit, numbers otherwise. */
const capabilities = (rights: VeracruzRights[]) =>
  rights.map((right) => `${right.file_name}:${formatRights(right.rights)}`);

test('generating from the same inputs reproduces the constructed Veracruz example byte for byte', (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const file = join(
    sharedTestdata,
    'veracruz-policies',
    'policy-current-format-constructed-example.json',
  );
  const original = readFileSync(file, 'utf8');
  const example = JSON.parse(original) as {
    identities: { certificate: string; file_rights: VeracruzRights[] }[];
    programs: { file_rights: VeracruzRights[] }[];
    pipelines: { pipeline: string; file_rights: VeracruzRights[] }[];
    file_hashes: { hash: string }[];
    proxy_service_cert: string;
    runtime_manager_hash_linux: string;
  };
  const text = generatePolicyText({
    participants: example.identities.map((identity) => ({
      certificatePem: asPemFile(identity.certificate),
      capabilities: capabilities(identity.file_rights),
    })),
    programs: [
      {
        path: 'program/example-binary.wasm',
        hash: example.file_hashes[0]?.hash ?? '',
        capabilities: capabilities(example.programs[0]?.file_rights ?? []),
      },
    ],
    pipelines: example.pipelines.map((pipeline) => ({
      pipeline: pipeline.pipeline,
      capabilities: capabilities(pipeline.file_rights),
    })),
    nativeModules: [
      { name: 'Counter mode AES Service', entryPoint: '', specialFile: 'services/aesctr.dat' },
    ],
    veracruzServerUrl: '127.0.0.1:3017',
    proxyAttestationServerUrl: '127.0.0.1:3010',
    proxyServiceCertPem: example.proxy_service_cert,
    runtimeManagerHashLinux: example.runtime_manager_hash_linux,
    enclaveCertExpiry: parseTimepoint('Thu, 01 Jul 2027 12:00:00 +0000'),
  });
  assert.equal(text, original);
});

test("vc-pgen's input conventions", () => {
  assert.equal(enforceLeadingSlash('input/'), '/input/');
  assert.equal(enforceLeadingSlash('stdout'), 'stdout');
  assert.deepEqual(parseCapability(' output : rw '), { file_name: '/output', rights: 550470 });
  assert.deepEqual(parseCapability('stdin:24582'), { file_name: 'stdin', rights: 24582 });
  for (const bad of ['output', 'a:b:c', ':r', 'x:rwz']) {
    assert.throws(() => parseCapability(bad), { code: 'ERR_POLICY_BAD_RIGHTS' }, bad);
  }
  assert.equal(
    nitroHashFromPcrFile(`${'ab'.repeat(24)}\n${'cd'.repeat(24)}\n`),
    `${'ab'.repeat(24)}${'cd'.repeat(8)}`,
  );
  assert.equal(
    normalizeIdentityPem('-----BEGIN CERTIFICATE-----\nAAAA\nBBBB\n-----END CERTIFICATE-----\n'),
    '-----BEGIN CERTIFICATE-----\nAAAABBBB\n-----END CERTIFICATE-----',
  );
  assert.deepEqual(parseTimepoint('2031-02-03T04:05:06Z'), {
    year: 2031,
    month: 2,
    day: 3,
    hour: 4,
    minute: 5,
  });
  assert.deepEqual(parseTimepoint('3 Feb 2031 04:05:00 +0200'), {
    year: 2031,
    month: 2,
    day: 3,
    hour: 4,
    minute: 5,
  });
  assert.throws(() => parseTimepoint('next year'), { code: 'ERR_POLICY_BAD_EXPIRY' });
});

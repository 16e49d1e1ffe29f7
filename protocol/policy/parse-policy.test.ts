import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIdentity } from '../identity/identity.js';
import { nodeCrypto, x509 } from '../identity/x509-provider.js';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { makeTestPolicy, type TestPolicy } from '../testing/policy-fixture.js';
import { MAX_POLICY_BYTES, parsePolicy, policyHash } from './parse-policy.js';
import { acceptedRuntimeHashes, isRuntimeAccepted } from './runtime-hashes.js';
import { rightsAt, rightsTableFor } from './rights.js';
import { serializePolicyJson } from './serialize.js';
import type { JsonObject, JsonValue } from './strict-json.js';
import { RIGHTS_EXECUTE, RIGHTS_READ, RIGHTS_WRITE } from './wasi-rights.js';

const NOW = new Date('2030-01-02T00:00:00Z');
const DAY = 86400_000;
const encode = (text: string) => new TextEncoder().encode(text);
const policiesDir = join(sharedTestdata, 'veracruz-policies');
const CONSTRUCTED = 'policy-current-format-constructed-example.json';

let base: TestPolicy;
let shortLived: string;
let rsaCertificate: string;

before(async () => {
  base = await makeTestPolicy({ now: NOW });
  shortLived = (await createIdentity({ name: 'brief', now: NOW, validityDays: 1 })).certificatePem;
  const keys = (await nodeCrypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as never;
  const rsa = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=rsa',
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 365 * DAY),
    keys,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' },
  });
  rsaCertificate = rsa.toString('pem');
});

function variant(change: (json: JsonObject) => void): Uint8Array {
  const json = structuredClone(base.json);
  change(json);
  return encode(serializePolicyJson(json));
}

const at = (json: JsonObject, ...keys: (string | number)[]): JsonObject =>
  keys.reduce<JsonValue>(
    (value, key) => (value as Record<string | number, JsonValue>)[key] as JsonValue,
    json,
  ) as JsonObject;

function refusal(bytes: Uint8Array, now = NOW): { code: string; path: string } {
  try {
    parsePolicy(bytes, { now });
  } catch (error) {
    const e = error as { code: string; details?: { path?: string } };
    return { code: e.code, path: e.details?.path ?? '' };
  }
  assert.fail('the policy was accepted');
}

test('the generated example policy is accepted, hashed over its exact bytes, with rights tables', () => {
  const bytes = encode(base.text);
  const loaded = parsePolicy(bytes, { now: NOW });
  assert.equal(loaded.hash, policyHash(bytes));
  assert.notEqual(policyHash(encode(`${base.text}\n`)), loaded.hash);
  assert.deepEqual(loaded.warnings, []);
  const { policy } = loaded;
  assert.equal(policy.identities.length, 3);
  assert.equal(policy.executionStrategy, 'JIT');
  const reader = rightsTableFor(policy, { kind: 'participant', id: 2 });
  assert.equal(rightsAt(reader, base.programPath), RIGHTS_EXECUTE);
  assert.equal(rightsAt(reader, '/output/result.dat'), RIGHTS_READ);
  assert.equal(
    rightsAt(rightsTableFor(policy, { kind: 'participant', id: 1 }), '/input/data'),
    RIGHTS_WRITE,
  );
  assert.equal(
    rightsAt(rightsTableFor(policy, { kind: 'participant', id: 1 }), base.programPath),
    0,
  );
  assert.equal(
    rightsAt(rightsTableFor(policy, { kind: 'program', path: base.programPath }), 'stdout'),
    RIGHTS_WRITE,
  );
  assert.deepEqual(acceptedRuntimeHashes(policy, 'sim'), [base.runtimeHash]);
  assert.deepEqual(acceptedRuntimeHashes(policy, 'psa'), []);
  assert.ok(isRuntimeAccepted(policy, 'sim', base.runtimeHash.toUpperCase()));
});

test('our veracruz_ts extensions are read; unknown top-level fields are ignored with a warning', async () => {
  const extended = await makeTestPolicy({
    now: NOW,
    extensions: {
      runtimeHashes: { psa: ['ab'.repeat(32)], nitro: ['cd'.repeat(48)], cca: ['ef'.repeat(64)] },
      shutdown: { rule: 'consensus', of: [0, 2] },
      executionTimeoutMs: 60000,
      deterministic: true,
      storageQuotaBytes: 1 << 20,
    },
  });
  const json = structuredClone(extended.json);
  json['future_field'] = 1;
  const { policy, warnings } = parsePolicy(encode(serializePolicyJson(json)), { now: NOW });
  assert.deepEqual(policy.extensions, {
    runtimeHashes: { psa: ['ab'.repeat(32)], nitro: ['cd'.repeat(48)], cca: ['ef'.repeat(64)] },
    shutdown: { rule: 'consensus', of: [0, 2] },
    executionTimeoutMs: 60000,
    deterministic: true,
    storageQuotaBytes: 1 << 20,
  });
  assert.deepEqual(acceptedRuntimeHashes(policy, 'psa'), ['ab'.repeat(32)]);
  // A SHA-512 value: the RIM of a CCA realm whose measurement algorithm is SHA-512.
  assert.ok(isRuntimeAccepted(policy, 'cca', 'ef'.repeat(64)));
  assert.match(warnings?.join('\n') ?? '', /future_field/);
});

test('warnings: debug mode and programs without a hash', () => {
  const bytes = variant((json) => {
    json['debug'] = true;
    json['file_hashes'] = [];
  });
  const warnings = parsePolicy(bytes, { now: NOW }).warnings?.join('\n') ?? '';
  assert.match(warnings, /debug is true/);
  assert.match(warnings, /no file hash/);
});

const bigRights = Array.from({ length: 1025 }, (_, i) => ({ file_name: `/f${i}`, rights: 1 }));

// Each malformed policy, its own code and the JSON path the error names.
const CASES: ReadonlyArray<[string, () => Uint8Array, string, string, Date?]> = [
  [
    'too large',
    () => encode(base.text + ' '.repeat(MAX_POLICY_BYTES)),
    'ERR_POLICY_TOO_LARGE',
    '$',
  ],
  ['not UTF-8', () => new Uint8Array([0x7b, 0xff, 0x7d]), 'ERR_POLICY_NOT_UTF8', '$'],
  ['truncated JSON', () => encode(base.text.slice(0, 100)), 'ERR_POLICY_BAD_JSON', '$'],
  ['not an object', () => encode('[1, 2]'), 'ERR_POLICY_WRONG_TYPE', '$'],
  [
    'duplicate key',
    () => encode(base.text.replace('"debug": false', '"debug": false,\n  "debug": true')),
    'ERR_POLICY_DUPLICATE_KEY',
    '$.debug',
  ],
  [
    'too deep',
    () => encode(base.text.replace('{', `{ "x": ${'['.repeat(40)}${']'.repeat(40)},`)),
    'ERR_POLICY_TOO_DEEP',
    `$.x${'[0]'.repeat(31)}`,
  ],
  [
    'legacy format',
    () => variant((j) => void (j['runtime_manager_hash_sgx'] = '')),
    'ERR_POLICY_LEGACY_FORMAT',
    '$.runtime_manager_hash_sgx',
  ],
  [
    'missing field',
    () => variant((j) => void delete j['ciphersuite']),
    'ERR_POLICY_MISSING_FIELD',
    '$.ciphersuite',
  ],
  [
    'missing nested field',
    () => variant((j) => void delete at(j, 'identities', 1)['file_rights']),
    'ERR_POLICY_MISSING_FIELD',
    '$.identities[1].file_rights',
  ],
  [
    'wrong type',
    () => variant((j) => void (j['debug'] = 'false')),
    'ERR_POLICY_WRONG_TYPE',
    '$.debug',
  ],
  [
    'negative id',
    () => variant((j) => void (at(j, 'identities', 0)['id'] = -1)),
    'ERR_POLICY_OUT_OF_RANGE',
    '$.identities[0].id',
  ],
  [
    'string too long',
    () => variant((j) => void (j['veracruz_server_url'] = `${'a'.repeat(300)}:1`)),
    'ERR_POLICY_STRING_TOO_LONG',
    '$.veracruz_server_url',
  ],
  [
    'too many rights',
    () => variant((j) => void (at(j, 'identities', 0)['file_rights'] = bigRights)),
    'ERR_POLICY_TOO_MANY_ENTRIES',
    '$.identities[0].file_rights',
  ],
  [
    'no identities',
    () => variant((j) => void (j['identities'] = [])),
    'ERR_POLICY_NO_IDENTITIES',
    '$.identities',
  ],
  [
    'duplicate identity id',
    () => variant((j) => void (at(j, 'identities', 2)['id'] = 0)),
    'ERR_POLICY_DUPLICATE_IDENTITY',
    '$.identities[2].id',
  ],
  [
    'duplicate certificate',
    () =>
      variant(
        (j) =>
          void (at(j, 'identities', 1)['certificate'] = at(j, 'identities', 0)[
            'certificate'
          ] as string),
      ),
    'ERR_POLICY_DUPLICATE_CERTIFICATE',
    '$.identities[1].certificate',
  ],
  [
    'bad PEM',
    () =>
      variant(
        (j) =>
          void (at(j, 'identities', 1)['certificate'] =
            '-----BEGIN CERTIFICATE-----\nXXXXXXXXX\n-----END CERTIFICATE-----'),
      ),
    'ERR_POLICY_BAD_CERTIFICATE',
    '$.identities[1].certificate',
  ],
  [
    'expired certificate',
    () => variant((j) => void (at(j, 'identities', 1)['certificate'] = shortLived)),
    'ERR_POLICY_CERTIFICATE_EXPIRED',
    '$.identities[1].certificate',
    new Date(NOW.getTime() + 2 * DAY),
  ],
  [
    'certificate not yet valid',
    () => encode(base.text),
    'ERR_POLICY_CERTIFICATE_NOT_YET_VALID',
    '$.identities[0].certificate',
    new Date(NOW.getTime() - 30 * DAY),
  ],
  [
    'RSA identity',
    () => variant((j) => void (at(j, 'identities', 2)['certificate'] = rsaCertificate)),
    'ERR_POLICY_UNSUPPORTED_KEY',
    '$.identities[2].certificate',
  ],
  [
    'proxy cert not a CA',
    () =>
      variant(
        (j) => void (j['proxy_service_cert'] = at(j, 'identities', 0)['certificate'] as string),
      ),
    'ERR_POLICY_PROXY_CERT_NOT_CA',
    '$.proxy_service_cert',
  ],
  [
    'rights beyond WASI',
    () => variant((j) => void (at(j, 'identities', 0, 'file_rights', 0)['rights'] = 2 ** 31)),
    'ERR_POLICY_BAD_RIGHTS',
    '$.identities[0].file_rights[0].rights',
  ],
  [
    'rights as a string',
    () => variant((j) => void (at(j, 'programs', 0, 'file_rights', 1)['rights'] = 'rwz')),
    'ERR_POLICY_BAD_RIGHTS',
    '$.programs[0].file_rights[1].rights',
  ],
  [
    'relative rights key',
    () => variant((j) => void (at(j, 'identities', 1, 'file_rights', 0)['file_name'] = 'input/')),
    'ERR_POLICY_BAD_RIGHTS_PATH',
    '$.identities[1].file_rights[0].file_name',
  ],
  [
    'dot-dot rights key',
    () =>
      variant(
        (j) => void (at(j, 'identities', 1, 'file_rights', 0)['file_name'] = '/input/../program/'),
      ),
    'ERR_POLICY_BAD_RIGHTS_PATH',
    '$.identities[1].file_rights[0].file_name',
  ],
  [
    'rights key above the root',
    () =>
      variant(
        (j) => void (at(j, 'identities', 1, 'file_rights', 0)['file_name'] = '/input/../../etc'),
      ),
    'ERR_POLICY_BAD_RIGHTS_PATH',
    '$.identities[1].file_rights[0].file_name',
  ],
  [
    'duplicate rights key',
    () =>
      variant(
        (j) =>
          void (at(j, 'identities', 1)['file_rights'] = [
            { file_name: '/input/', rights: 1 },
            { file_name: '/input', rights: 2 },
          ]),
      ),
    'ERR_POLICY_DUPLICATE_RIGHTS_PATH',
    '$.identities[1].file_rights[1].file_name',
  ],
  [
    'program path is a directory',
    () => variant((j) => void (at(j, 'programs', 0)['program_file_name'] = '/program/')),
    'ERR_POLICY_BAD_PROGRAM_PATH',
    '$.programs[0].program_file_name',
  ],
  [
    'relative file hash path',
    () => variant((j) => void (at(j, 'file_hashes', 0)['file_path'] = 'example.wasm')),
    'ERR_POLICY_BAD_FILE_PATH',
    '$.file_hashes[0].file_path',
  ],
  [
    'duplicate program',
    () =>
      variant((j) => void (j['programs'] as JsonValue[]).push({ ...at(j, 'programs', 0), id: 1 })),
    'ERR_POLICY_DUPLICATE_PROGRAM',
    '$.programs[1].program_file_name',
  ],
  [
    'duplicate pipeline',
    () =>
      variant(
        (j) => void (j['pipelines'] as JsonValue[]).push({ ...at(j, 'pipelines', 0), id: 1 }),
      ),
    'ERR_POLICY_DUPLICATE_PIPELINE',
    '$.pipelines[1].name',
  ],
  [
    'malformed pipeline',
    () => variant((j) => void (at(j, 'pipelines', 0)['pipeline'] = 'if { /program/example.wasm }')),
    'ERR_POLICY_BAD_PIPELINE',
    '$.pipelines[0].pipeline',
  ],
  [
    'pipeline runs an unknown program',
    () => variant((j) => void (at(j, 'pipelines', 0)['pipeline'] = '/program/other.wasm')),
    'ERR_POLICY_PIPELINE_UNKNOWN_PROGRAM',
    '$.pipelines[0].pipeline',
  ],
  [
    'uppercase file hash',
    () => variant((j) => void (at(j, 'file_hashes', 0)['hash'] = 'AB'.repeat(32))),
    'ERR_POLICY_BAD_HASH',
    '$.file_hashes[0].hash',
  ],
  [
    'empty runtime hash',
    () => variant((j) => void (j['runtime_manager_hash_nitro'] = '')),
    'ERR_POLICY_BAD_HASH',
    '$.runtime_manager_hash_nitro',
  ],
  [
    'runtime hash of no SHA-2 length',
    () => variant((j) => void (j['veracruz_ts'] = { runtime_hashes: { cca: ['ab'.repeat(40)] } })),
    'ERR_POLICY_BAD_HASH',
    '$.veracruz_ts.runtime_hashes.cca[0]',
  ],
  [
    'duplicate file hash',
    () => variant((j) => void (j['file_hashes'] as JsonValue[]).push(at(j, 'file_hashes', 0))),
    'ERR_POLICY_DUPLICATE_FILE_HASH',
    '$.file_hashes[1].file_path',
  ],
  [
    'no runtime hash',
    () => variant((j) => void (j['runtime_manager_hash_linux'] = null)),
    'ERR_POLICY_NO_RUNTIME_HASH',
    '$',
  ],
  [
    'month 13',
    () => variant((j) => void (at(j, 'enclave_cert_expiry')['month'] = 13)),
    'ERR_POLICY_BAD_EXPIRY',
    '$.enclave_cert_expiry.month',
  ],
  [
    'February 30',
    () => variant((j) => Object.assign(at(j, 'enclave_cert_expiry'), { month: 2, day: 30 })),
    'ERR_POLICY_BAD_EXPIRY',
    '$.enclave_cert_expiry.day',
  ],
  [
    'expiry passed',
    () => variant((j) => void (at(j, 'enclave_cert_expiry')['year'] = 2029)),
    'ERR_POLICY_EXPIRY_PASSED',
    '$.enclave_cert_expiry',
  ],
  [
    'unknown execution strategy',
    () => variant((j) => void (j['execution_strategy'] = 'AOT')),
    'ERR_POLICY_UNKNOWN_EXECUTION_STRATEGY',
    '$.execution_strategy',
  ],
  [
    'unknown ciphersuite',
    () => variant((j) => void (j['ciphersuite'] = 'TLS_NULL_WITH_NULL_NULL')),
    'ERR_POLICY_UNKNOWN_CIPHERSUITE',
    '$.ciphersuite',
  ],
  [
    'URL without port',
    () => variant((j) => void (j['proxy_attestation_server_url'] = 'http://proxy')),
    'ERR_POLICY_BAD_URL',
    '$.proxy_attestation_server_url',
  ],
  [
    'zero memory',
    () => variant((j) => void (j['max_memory_mib'] = 0)),
    'ERR_POLICY_BAD_MEMORY_LIMIT',
    '$.max_memory_mib',
  ],
  [
    'unknown native module type',
    () => variant((j) => void (j['native_modules'] = [{ name: 'm', type: { Weird: {} } }])),
    'ERR_POLICY_BAD_NATIVE_MODULE',
    '$.native_modules[0].type',
  ],
  [
    'relative special file',
    () =>
      variant(
        (j) =>
          void (j['native_modules'] = [
            { name: 'm', type: { Static: { special_file: 'services/../../x' } } },
          ]),
      ),
    'ERR_POLICY_BAD_NATIVE_MODULE',
    '$.native_modules[0].type.Static.special_file',
  ],
  [
    'dynamic module without an absolute host path',
    () =>
      variant(
        (j) =>
          void (j['native_modules'] = [
            { name: 'm', type: { Dynamic: { special_file: '/s/m', entry_point: 'bin/m' } } },
          ]),
      ),
    'ERR_POLICY_BAD_NATIVE_MODULE',
    '$.native_modules[0].type.Dynamic.entry_point',
  ],
  [
    'shutdown consensus of a stranger',
    () => variant((j) => void (j['veracruz_ts'] = { shutdown: { rule: 'consensus', of: [0, 9] } })),
    'ERR_POLICY_BAD_EXTENSION',
    '$.veracruz_ts.shutdown.of[1]',
  ],
];

test('a pipeline may run a provisioned native binary (legal in Veracruz), and only one the policy names', () => {
  const bytes = variant((j) => {
    j['native_modules'] = [
      { name: 'tool', type: { Provisioned: { entry_point: '/program/tool' } } },
    ];
    at(j, 'pipelines', 0)['pipeline'] = '/program/example.wasm ; /program/tool';
  });
  const { policy } = parsePolicy(bytes, { now: NOW });
  assert.deepEqual(policy.nativeModules, [
    { name: 'tool', type: { kind: 'provisioned', entryPoint: '/program/tool' } },
  ]);
  assert.equal(policy.pipelines[0]!.pipeline, '/program/example.wasm ; /program/tool');
  const other = variant((j) => {
    j['native_modules'] = [
      { name: 'tool', type: { Provisioned: { entry_point: '/program/tool' } } },
    ];
    at(j, 'pipelines', 0)['pipeline'] = '/program/other';
  });
  assert.deepEqual(refusal(other), {
    code: 'ERR_POLICY_PIPELINE_UNKNOWN_PROGRAM',
    path: '$.pipelines[0].pipeline',
  });
});

test(`${CASES.length} malformed policies are each refused with their own code and the field's path`, () => {
  const codes = new Set<string>();
  for (const [name, make, code, path, now] of CASES) {
    assert.deepEqual(refusal(make(), now), { code, path }, name);
    codes.add(code);
  }
  assert.ok(codes.size >= 25, `only ${codes.size} distinct codes`);
});

test('the refusal message names the field', () => {
  try {
    parsePolicy(
      variant((j) => void (at(j, 'identities', 1)['certificate'] = 'nope')),
      { now: NOW },
    );
    assert.fail('accepted');
  } catch (error) {
    assert.match((error as Error).message, /^\$\.identities\[1\]\.certificate: /);
  }
});

test('Veracruz constructed example: exact hash, accepted inside its certificates validity', (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const bytes = readFileSync(join(policiesDir, CONSTRUCTED));
  assert.equal(
    policyHash(bytes),
    '150f3d67f2160bba7921e914041cac94d0654dcf6fc5a191715ea26b94c1151b',
  );
  const { policy, hash } = parsePolicy(bytes, { now: new Date('2027-01-01T00:00:00Z') });
  assert.equal(hash, '150f3d67f2160bba7921e914041cac94d0654dcf6fc5a191715ea26b94c1151b');
  assert.equal(policy.enclaveCertExpiry.toISOString(), '2027-07-01T12:00:00.000Z');
  assert.deepEqual(policy.nativeModules, [
    {
      name: 'Counter mode AES Service',
      type: { kind: 'static', specialFile: '/services/aesctr.dat' },
    },
  ]);
  assert.equal(
    rightsAt(
      rightsTableFor(policy, { kind: 'participant', id: 2 }),
      '/program/example-binary.wasm',
    ),
    RIGHTS_EXECUTE,
  );
  // Before the certificates were issued, and after the enclave expiry, it is refused.
  assert.equal(
    refusal(bytes, new Date('2026-01-01T00:00:00Z')).code,
    'ERR_POLICY_CERTIFICATE_NOT_YET_VALID',
  );
  assert.deepEqual(refusal(bytes, new Date('2028-01-01T00:00:00Z')), {
    code: 'ERR_POLICY_EXPIRY_PASSED',
    path: '$.enclave_cert_expiry',
  });
});

test('the same bytes are validated once, yet every call checks the time and gets its own bytes', () => {
  const bytes = variant((j) => void (at(j, 'identities', 1)['certificate'] = shortLived));
  const first = parsePolicy(bytes, { now: NOW });
  const again = parsePolicy(Uint8Array.from(bytes), { now: NOW });
  assert.equal(again.policy, first.policy, 'one validated policy per exact bytes');
  assert.ok(Object.isFrozen(first.policy) && Object.isFrozen(first.policy.identities[1]));
  assert.throws(() => {
    (first.policy.identities as unknown[]).push({});
  }, TypeError);
  // The bytes are each caller's own copy.
  assert.notEqual(again.bytes, first.bytes);
  first.bytes[0] = 0x20;
  assert.deepEqual(parsePolicy(bytes, { now: NOW }).bytes, bytes);
  // Time is checked on every call, with the uncached refusal: the certificate, then the expiry.
  assert.deepEqual(refusal(bytes, new Date(NOW.getTime() + 2 * DAY)), {
    code: 'ERR_POLICY_CERTIFICATE_EXPIRED',
    path: '$.identities[1].certificate',
  });
  assert.equal(
    refusal(bytes, new Date(NOW.getTime() - 2 * DAY)).code,
    'ERR_POLICY_CERTIFICATE_NOT_YET_VALID',
  );
  assert.equal(parsePolicy(bytes, { now: NOW }).policy, first.policy);
  // And so is the size limit.
  assert.throws(() => parsePolicy(bytes, { now: NOW, maxBytes: 16 }), {
    code: 'ERR_POLICY_TOO_LARGE',
  });
});

test('older Veracruz policies are refused with ERR_POLICY_LEGACY_FORMAT naming the old field', (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  for (const [file, missing] of [
    [
      'policy-2021-06-oblivious-routing.json',
      'enable_clock, file_hashes, max_memory_mib, native_modules, pipelines, proxy_service_cert',
    ],
    ['policy-2022-11-vaas-full-policy-example.json', 'native_modules, pipelines'],
  ] as const) {
    try {
      parsePolicy(readFileSync(join(policiesDir, file)), { now: new Date('2022-12-01T00:00:00Z') });
      assert.fail(`${file} was accepted`);
    } catch (error) {
      const e = error as { code: string; message: string; details: { path: string } };
      assert.equal(e.code, 'ERR_POLICY_LEGACY_FORMAT', file);
      assert.equal(e.details.path, '$.runtime_manager_hash_sgx', file);
      assert.ok(e.message.includes(`missing current fields: ${missing}`), e.message);
    }
  }
});

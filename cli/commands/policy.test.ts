import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';
import { captureIo } from '../command.js';
import { measureRuntime } from '../../enclave/index.js';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { sha256Hex, parsePolicy, policyHash, serializePolicyJson } from '../../protocol/index.js';

const constructed = join(
  sharedTestdata,
  'veracruz-policies',
  'policy-current-format-constructed-example.json',
);
const CONSTRUCTED_HASH = '150f3d67f2160bba7921e914041cac94d0654dcf6fc5a191715ea26b94c1151b';
const examplePolicy = fileURLToPath(
  new URL('../../scenarios/example/policy.json', import.meta.url),
);

async function vc(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

test('vc policy hash prints the SHA-256 of the exact bytes of the constructed example', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const result = await vc('policy', 'hash', constructed);
  assert.equal(result.code, 0);
  assert.equal(result.out, CONSTRUCTED_HASH);
});

test('vc policy check --at accepts the constructed example inside its validity and refuses it after', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const ok = await vc('policy', 'check', constructed, '--at', '2027-01-01T00:00:00Z');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, new RegExp(`sha256 +${CONSTRUCTED_HASH}`));
  assert.match(ok.out, /participant +#2 zibblezabble +\/program\/ +x/);
  assert.match(ok.out, /program +\/program\/example-binary\.wasm +\/input\/ +r/);

  const json = await vc('policy', 'check', constructed, '--at', '2027-01-01T00:00:00Z', '--json');
  const report = JSON.parse(json.out) as {
    ok: boolean;
    hash: string;
    principals: { kind: string }[];
  };
  assert.equal(report.ok, true);
  assert.equal(report.hash, CONSTRUCTED_HASH);
  assert.equal(report.principals.filter((row) => row.kind === 'participant').length, 3);

  const late = await vc('policy', 'check', constructed, '--at', '2028-01-01T00:00:00Z');
  assert.equal(late.code, 1);
  assert.match(late.err, /^error ERR_POLICY_EXPIRY_PASSED: \$\.enclave_cert_expiry/);
  const lateJson = await vc(
    'policy',
    'check',
    constructed,
    '--at',
    '2028-01-01T00:00:00Z',
    '--json',
  );
  assert.equal(
    (JSON.parse(lateJson.out) as { error: { code: string } }).error.code,
    'ERR_POLICY_EXPIRY_PASSED',
  );
});

test('vc policy check refuses the legacy policies naming the old field', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const result = await vc(
    'policy',
    'check',
    join(sharedTestdata, 'veracruz-policies', 'policy-2021-06-oblivious-routing.json'),
  );
  assert.equal(result.code, 1);
  assert.match(result.err, /ERR_POLICY_LEGACY_FORMAT: \$\.runtime_manager_hash_sgx/);
});

test('the shipped example policy (npm start) checks clean', async () => {
  const result = await vc('policy', 'check', examplePolicy);
  assert.equal(result.code, 0, result.err);
  assert.match(result.out, /participant +#0 program-provider +\/program\/ +w/);
  assert.match(result.out, /participant +#2 result-reader +\/program\/ +x/);
  assert.doesNotMatch(result.out, /warnings:/);
  const bytes = readFileSync(examplePolicy);
  assert.equal(bytes.at(-1), '}'.charCodeAt(0), 'no trailing newline');
  const exampleWasm = readFileSync(
    new URL('../../scenarios/example/example.wasm', import.meta.url),
  );
  assert.equal(parsePolicy(bytes).policy.fileHashes[0]?.hash, sha256Hex(exampleWasm));
});

test('vc identity + vc policy generate + vc policy check work together', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-policy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of ['alice', 'bob'])
    assert.equal((await vc('identity', 'new', '--name', name, '--out', dir)).code, 0);
  assert.equal((await vc('identity', 'ca', '--name', 'verifier', '--out', dir)).code, 0);
  writeFileSync(join(dir, 'prog.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, 'runtime.bin'), 'runtime');
  const output = join(dir, 'policy.json');
  const common = [
    '-c',
    join(dir, 'alice.crt.pem'),
    '-p',
    'program:w,output:r,program/prog.wasm:x',
    '-c',
    join(dir, 'bob.crt.pem'),
    '-p',
    'input:w,stdin:534084',
    '-w',
    `program/prog.wasm=${join(dir, 'prog.wasm')}`,
    '-p',
    'input:r,output:rw,stdout:w',
    '--pipeline',
    '/program/prog.wasm ; if /output/x { /program/prog.wasm }',
    '-p',
    'output:rw',
    '-s',
    '127.0.0.1:3017',
    '-t',
    '127.0.0.1:3010',
    '--proxy-attestation-server-cert',
    join(dir, 'verifier.crt.pem'),
    '--css-file',
    join(dir, 'runtime.bin'),
    '-x',
    'Thu, 01 Jul 2027 12:30:00 +0000',
    '--shutdown',
    'consensus:0,1',
    '--at',
    '2027-01-01T00:00:00Z',
  ];
  const generated = await vc('policy', 'generate', ...common, '-o', output);
  assert.equal(generated.code, 0, generated.err);
  const bytes = readFileSync(output);
  assert.match(generated.err, new RegExp(`sha256 ${policyHash(bytes)}`));
  const text = bytes.toString('utf8');
  assert.ok(!text.endsWith('\n'));
  assert.equal(text, serializePolicyJson(JSON.parse(text) as never), 'sorted keys, 2-space indent');
  const { policy } = parsePolicy(bytes, { now: new Date('2027-01-01T00:00:00Z') });
  assert.deepEqual(
    policy.identities[0]?.fileRights.map((right) => right.path),
    ['/program', '/output', '/program/prog.wasm'],
  );
  assert.equal(policy.identities[1]?.fileRights[1]?.path, 'stdin');
  assert.equal(policy.runtimeManagerHashes.linux, sha256Hex(new TextEncoder().encode('runtime')));
  assert.equal(policy.enclaveCertExpiry.toISOString(), '2027-07-01T12:30:00.000Z');
  assert.deepEqual(policy.extensions.shutdown, { rule: 'consensus', of: [0, 1] });
  assert.equal(policy.pipelines[0]?.name, '0');

  // Standard output carries the same policy text.
  const printed = await vc('policy', 'generate', ...common);
  assert.equal(printed.out, text);

  // One capability too few is a usage error; an expiry already passed is a policy refusal.
  const pipelineAt = common.indexOf('--pipeline');
  const withoutPipeline = [...common.slice(0, pipelineAt), ...common.slice(pipelineAt + 2)];
  const short = await vc('policy', 'generate', ...withoutPipeline);
  assert.equal(short.code, 2, short.err);
  const late = await vc(
    'policy',
    'generate',
    ...common.map((arg) => (arg === '2027-01-01T00:00:00Z' ? '2028-01-01T00:00:00Z' : arg)),
  );
  assert.equal(late.code, 1);
  assert.match(late.err, /ERR_POLICY_EXPIRY_PASSED/);
});

test("vc policy generate pins this installation's runtime measurement when no runtime hash is given", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-policy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal((await vc('identity', 'new', '--name', 'alice', '--out', dir)).code, 0);
  assert.equal((await vc('identity', 'ca', '--name', 'verifier', '--out', dir)).code, 0);
  writeFileSync(join(dir, 'prog.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const common = [
    '-c',
    join(dir, 'alice.crt.pem'),
    '-p',
    'program:w,output:r',
    '-w',
    `program/prog.wasm=${join(dir, 'prog.wasm')}`,
    '-p',
    'output:w',
    '-s',
    '127.0.0.1:3017',
    '-t',
    '127.0.0.1:3010',
    '--proxy-attestation-server-cert',
    join(dir, 'verifier.crt.pem'),
    '-x',
    'Thu, 01 Jul 2027 12:30:00 +0000',
    '--at',
    '2027-01-01T00:00:00Z',
  ];
  const generated = await vc('policy', 'generate', ...common);
  assert.equal(generated.code, 0, generated.err);
  const { measurement } = await measureRuntime();
  const { policy } = parsePolicy(new TextEncoder().encode(generated.out), {
    now: new Date('2027-01-01T00:00:00Z'),
  });
  assert.equal(policy.runtimeManagerHashes.linux, measurement);
  // A runtime hash given on the command line replaces the default.
  const given = await vc(
    'policy',
    'generate',
    ...common,
    '--runtime-hash',
    `nitro=${'ab'.repeat(48)}`,
  );
  assert.equal(given.code, 0, given.err);
  const other = parsePolicy(new TextEncoder().encode(given.out), {
    now: new Date('2027-01-01T00:00:00Z'),
  }).policy;
  assert.equal(other.runtimeManagerHashes.linux, null);
});

test('vc policy refuses bad usage with exit code 2', async () => {
  for (const argv of [
    ['policy'],
    ['policy', 'frobnicate'],
    ['policy', 'check'],
    ['policy', 'check', examplePolicy, '--at', 'yesterday'],
    ['policy', 'hash', 'a', 'b'],
    ['policy', 'generate', '-c', 'x.pem'],
  ]) {
    const result = await vc(...argv);
    assert.equal(result.code, 2, `${argv.join(' ')}: ${result.err}`);
  }
  const missing = await vc('policy', 'hash', '/nonexistent/policy.json');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /ERR_POLICY_FILE/);
});

// `vc attest verify --platform tdx|sgx` on the real quotes of ../shared/testdata/tdx, and the DCAP
// root and reference values in the verifier's file store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

async function vc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const dir = `${sharedTestdata}tdx/`;
const verify = (name: string, platform: string, ...extra: string[]) =>
  vc(
    'attest',
    'verify',
    '--platform',
    platform,
    '--evidence',
    dir + name,
    '--collateral',
    `${dir}${name}_collateral.json`,
    '--json',
    ...extra,
  );

const errorCode = (out: string): string | undefined =>
  (JSON.parse(out) as { error?: { code?: string } }).error?.code;

test('vc attest verify --platform tdx|sgx: the README outcomes at the pinned times', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const sgx = await verify(
    'sgx_quote',
    'sgx',
    '--at',
    '2025-07-01T00:00:00Z',
    '--root',
    `${dir}TrustedRootCA.der`,
  );
  assert.equal(sgx.code, 0, sgx.out + sgx.err);
  const claims = (JSON.parse(sgx.out) as { claims: Record<string, unknown> }).claims;
  assert.equal(claims['tcbStatus'], 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(claims['advisoryIds'], ['INTEL-SA-00289', 'INTEL-SA-00615']);
  const tdx = await verify(
    'tdx_quote',
    'tdx',
    '--at',
    '2025-07-01T00:00:00Z',
    '--tcb-status',
    'UpToDate',
    '--measurement',
    '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
  );
  assert.equal(tdx.code, 0, tdx.out + tdx.err);
  assert.equal(
    (JSON.parse(tdx.out) as { claims: Record<string, unknown> }).claims['tcbStatus'],
    'UpToDate',
  );
  const outdated = await verify('tdx_quote_outdated', 'tdx', '--at', '2026-03-01T00:00:00Z');
  assert.equal(outdated.code, 1);
  assert.equal(errorCode(outdated.out), 'ERR_EVIDENCE_TCB');
  // The PCK CRL's nextUpdate is enforced.
  const late = await verify('tdx_quote', 'tdx', '--at', '2025-07-19T10:00:36Z');
  assert.equal(errorCode(late.out), 'ERR_EVIDENCE_COLLATERAL_EXPIRED');
  // Bound report_data, RTMR and MRSIGNER reference values, accepted statuses.
  const nonce = await verify(
    'sgx_quote',
    'sgx',
    '--at',
    '2025-07-01T00:00:00Z',
    '--nonce',
    '00'.repeat(32),
  );
  assert.equal(errorCode(nonce.out), 'ERR_ATTESTATION_NONCE_MISMATCH');
  const rtmr = await verify(
    'tdx_quote',
    'tdx',
    '--at',
    '2025-07-01T00:00:00Z',
    '--rtmr',
    `2=${'00'.repeat(48)}`,
  );
  assert.equal(errorCode(rtmr.out), 'ERR_MEASUREMENT_NOT_ALLOWED');
  const signer = await verify(
    'sgx_quote',
    'sgx',
    '--at',
    '2025-07-01T00:00:00Z',
    '--mrsigner',
    '815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6',
  );
  assert.equal(signer.code, 0);
  const status = await verify(
    'sgx_quote',
    'sgx',
    '--at',
    '2025-07-01T00:00:00Z',
    '--tcb-status',
    'UpToDate',
  );
  assert.equal(errorCode(status.out), 'ERR_EVIDENCE_TCB');
  // Usage: no collateral; a malformed --rtmr.
  const bare = await vc('attest', 'verify', '--platform', 'tdx', '--evidence', `${dir}tdx_quote`);
  assert.equal(bare.code, 2, bare.err);
  assert.match(bare.err, /--collateral/);
  const bad = await verify('tdx_quote', 'tdx', '--rtmr', '7=00');
  assert.equal(bad.code, 2);
});

test('vc attest endorse / reference: a DER Intel root and DCAP reference kinds in a file store', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const tmp = mkdtempSync(join(tmpdir(), 'vc-attest-dcap-'));
  try {
    const store = join(tmp, 'store.json');
    const root = await vc(
      'attest',
      'endorse',
      'add',
      '--platform',
      'tdx',
      '--root',
      `${dir}TrustedRootCA.der`,
      '--store',
      store,
    );
    assert.equal(root.code, 0, root.err);
    assert.match(
      root.out,
      /endorsed tdx root 44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3/,
    );
    const key = await vc(
      'attest',
      'endorse',
      'add',
      '--platform',
      'sgx',
      '--key',
      `${dir}TrustedRootCA.der`,
      '--store',
      store,
    );
    assert.equal(key.code, 1);
    const rtmr = await vc(
      'attest',
      'reference',
      'add',
      '--platform',
      'tdx',
      '--kind',
      'rtmr1',
      '--value',
      '11'.repeat(48),
      '--store',
      store,
    );
    assert.equal(rtmr.code, 0, rtmr.err);
    const signer = await vc(
      'attest',
      'reference',
      'add',
      '--platform',
      'sgx',
      '--kind',
      'mrsigner',
      '--value',
      '22'.repeat(32),
      '--store',
      store,
    );
    assert.equal(signer.code, 0, signer.err);
    const wrong = await vc(
      'attest',
      'reference',
      'add',
      '--platform',
      'sgx',
      '--kind',
      'rtmr1',
      '--value',
      '11',
      '--store',
      store,
    );
    assert.equal(wrong.code, 1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

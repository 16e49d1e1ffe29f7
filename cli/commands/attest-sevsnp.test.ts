import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

const dir = `${sharedTestdata}sevsnp/`;

async function vc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const verify = (report: string, vcek: string, chain: string, ...rest: string[]) =>
  vc(
    'attest',
    'verify',
    '--platform',
    'sevsnp',
    '--evidence',
    dir + report,
    '--vcek',
    dir + vcek,
    '--chain',
    dir + chain,
    '--json',
    ...rest,
  );

function errorCode(result: { out: string }): string {
  return (JSON.parse(result.out) as { error: { code: string } }).error.code;
}

test('vc attest verify --platform sevsnp: the real reports, at their times, and refusals', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const genoa = await verify(
    'genoa-v5-report.bin',
    'genoa-vcek.der',
    'ask_ark_genoa.pem',
    '--at',
    '2026-01-01T00:00:00Z',
  );
  assert.equal(genoa.code, 0, genoa.out);
  const claims = JSON.parse(genoa.out) as { platform: string; claims: { product: string } };
  assert.equal(claims.platform, 'sevsnp');
  assert.equal(claims.claims.product, 'Genoa');
  const turin = await verify(
    'turin-v5-report.bin',
    'turin-vcek.der',
    'ask_ark_turin_vcek.pem',
    '--at',
    '2026-01-01T00:00:00Z',
  );
  assert.equal(turin.code, 0, turin.out);
  // The Milan report allows debugging: refused unless --allow-debug; --nonce is the report_data.
  const milan = [
    'milan-v2-report.bin',
    'milan-vcek.der',
    'ask_ark_milan.pem',
    '--at',
    '2024-01-01T00:00:00Z',
  ] as const;
  const debug = await verify(...milan);
  assert.equal(debug.code, 1);
  assert.equal(errorCode(debug), 'ERR_ATTESTATION_DEBUG');
  const reportData = `0102030405${'00'.repeat(59)}`;
  assert.equal((await verify(...milan, '--allow-debug', '--nonce', reportData)).code, 0);
  const otherData = await verify(...milan, '--allow-debug', '--nonce', '00'.repeat(64));
  assert.equal(errorCode(otherData), 'ERR_ATTESTATION_NONCE_MISMATCH');
  // The VLEK report: valid within the VLEK's year, expired at today's date (the default time).
  const vlek = ['milan-v3-vlek-report.bin', 'milan-vlek.der', 'ask_ark_milan_vlek.pem'] as const;
  assert.equal((await verify(...vlek, '--at', '2025-06-01T00:00:00Z')).code, 0);
  const expired = await verify(...vlek);
  assert.equal(expired.code, 1);
  assert.equal(errorCode(expired), 'ERR_EVIDENCE_CERT_EXPIRED');
  // Another product's chain; another root than the ARK the chain leads to.
  const cross = await verify(
    'genoa-v5-report.bin',
    'genoa-vcek.der',
    'ask_ark_milan.pem',
    '--at',
    '2026-01-01T00:00:00Z',
  );
  assert.equal(errorCode(cross), 'ERR_EVIDENCE_CHAIN');
  const tmp = mkdtempSync(join(tmpdir(), 'vc-snp-cli-'));
  try {
    const turinArk =
      readFileSync(dir + 'ask_ark_turin_vcek.pem', 'utf8').split(/(?=-----BEGIN)/)[1] ?? '';
    writeFileSync(join(tmp, 'turin-ark.pem'), turinArk);
    const unpinned = await verify(
      'genoa-v5-report.bin',
      'genoa-vcek.der',
      'ask_ark_genoa.pem',
      '--at',
      '2026-01-01T00:00:00Z',
      '--root',
      join(tmp, 'turin-ark.pem'),
    );
    assert.equal(errorCode(unpinned), 'ERR_EVIDENCE_CHAIN');
    // A flipped byte in the signed part of the report.
    const report = new Uint8Array(readFileSync(dir + 'genoa-v5-report.bin'));
    report[0x90] = (report[0x90] ?? 0) ^ 1;
    writeFileSync(join(tmp, 'tampered.bin'), report);
    const tampered = await vc(
      'attest',
      'verify',
      '--platform',
      'sevsnp',
      '--evidence',
      join(tmp, 'tampered.bin'),
      '--vcek',
      dir + 'genoa-vcek.der',
      '--chain',
      dir + 'ask_ark_genoa.pem',
      '--at',
      '2026-01-01T00:00:00Z',
      '--json',
    );
    assert.equal(errorCode(tampered), 'ERR_EVIDENCE_SIGNATURE');
    // The verifier's store takes AMD ARKs as sevsnp roots.
    const store = ['--store', join(tmp, 'state.json')];
    const add = await vc(
      'attest',
      'endorse',
      'add',
      '--platform',
      'sevsnp',
      '--root',
      join(tmp, 'turin-ark.pem'),
      ...store,
    );
    assert.equal(add.code, 0, add.err);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // No VCEK given: nothing signed the report; a report has no timestamp for --at document.
  const bare = await vc(
    'attest',
    'verify',
    '--platform',
    'sevsnp',
    '--evidence',
    dir + 'genoa-v5-report.bin',
    '--at',
    '2026-01-01T00:00:00Z',
    '--json',
  );
  assert.equal(errorCode(bare), 'ERR_EVIDENCE_CHAIN');
  assert.equal(
    (await verify('genoa-v5-report.bin', 'genoa-vcek.der', 'ask_ark_genoa.pem', '--at', 'document'))
      .code,
    2,
  );
});

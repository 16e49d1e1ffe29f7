// `vc host --launcher-keys FILE --max-enclaves 2` and `vc launch` as their own processes over a
// private nats-server: who may launch (a participant of the policy, a trusted operator key; a
// stranger is ERR_LAUNCH_NOT_AUTHORIZED) and the third concurrent launch refused with ERR_HOST_BUSY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startVerifierService,
  vcService,
  writeVerifierTrust,
} from '../../test-support/cli-deployment.js';
import { createIdentity, policyTextFromSpec } from '../../protocol/index.js';
import { identities, wasmOf } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { natsServerBinary, startNatsServer } from '../../transport/index.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

test('vc host --launcher-keys --max-enclaves 2: strangers refused, participant and operator launch, the third is ERR_HOST_BUSY', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const dir = await mkdtemp(join(tmpdir(), 'vc-launch-'));
  const server = await startNatsServer();
  const children: ChildProcess[] = [];
  try {
    const now = new Date();
    const { caCertificatePem, simKeyFile, measurement } = await writeVerifierTrust(dir);

    const owners = await identities(3);
    const [stranger] = await identities(1);
    const operator = await createIdentity({ name: { commonName: 'operator' }, now });
    const files = async (name: string, id: { certificatePem: string; privateKeyPem: string }) => {
      await writeFile(join(dir, `${name}.crt`), id.certificatePem);
      await writeFile(join(dir, `${name}.key`), id.privateKeyPem, { mode: 0o600 });
      return [join(dir, `${name}.crt`), join(dir, `${name}.key`)] as const;
    };
    await files('operator', operator);
    const [strangerCrt, strangerKey] = await files('stranger', stranger!);
    const policies: { file: string; crt: string; key: string }[] = [];
    for (const [i, owner] of owners.entries()) {
      const [crt, key] = await files(`owner-${i}`, owner);
      const file = join(dir, `policy-${i}.json`);
      await writeFile(
        file,
        policyTextFromSpec({
          participants: [{ identity: owner, capabilities: ['/program/:wx', '/output/:r'] }],
          programs: [
            {
              path: '/program/p.wasm',
              bytes: wasmOf('random-source'),
              capabilities: ['/output/:w'],
            },
          ],
          proxyServiceCertPem: caCertificatePem,
          simMeasurements: [measurement],
          expiry: new Date(now.getTime() + 30 * 86400_000),
        }),
      );
      policies.push({ file, crt, key });
    }

    const nats = ['--nats', server.url];
    children.push(await startVerifierService(dir, server.url));
    children.push(
      await vcService([
        'host',
        ...nats,
        '--name',
        'h1',
        '--sim-key',
        simKeyFile,
        '--launcher-keys',
        join(dir, 'operator.crt'),
        '--max-enclaves',
        '2',
      ]),
    );

    const launch = async (args: string[]) => {
      const io = captureIo();
      const code = await main(['launch', ...args, ...nats, '--json', '--timeout', '60'], io);
      const printed = JSON.parse(io.stdout.join('')) as { ok: boolean; error?: { code: string } };
      return { code, printed, stderr: io.stderr.join('\n') };
    };
    const [first, second, third] = policies;

    const refused = await launch([first!.file, '--identity', strangerCrt, '--key', strangerKey]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.printed.error?.code, 'ERR_LAUNCH_NOT_AUTHORIZED');

    const byParticipant = await launch([
      first!.file,
      '--identity',
      first!.crt,
      '--key',
      first!.key,
    ]);
    assert.equal(byParticipant.code, 0, JSON.stringify(byParticipant.printed));
    const byOperator = await launch([second!.file, '--operator-key', join(dir, 'operator.key')]);
    assert.equal(byOperator.code, 0, JSON.stringify(byOperator.printed));

    const started = Date.now();
    const busy = await launch([third!.file, '--identity', third!.crt, '--key', third!.key]);
    assert.equal(busy.code, 1, busy.stderr);
    assert.equal(busy.printed.error?.code, 'ERR_HOST_BUSY');
    assert.ok(Date.now() - started < 20_000, `refused in ${Date.now() - started} ms`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

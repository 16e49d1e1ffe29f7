import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { MemoryTransport } from '../../transport/index.js';
import { ProtocolError } from '../../protocol/index.js';
import { Endpoint } from './endpoint.js';
import { createOperatorLog, shortId, stateName } from './log.js';
import { keyFromSenderId, keySenderId } from './sender-ids.js';

async function signer() {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  return { id: await keySenderId(pair.publicKey), key: pair.privateKey };
}

test('operator log: one JSON object a line with --log-format json, a readable line by default', () => {
  const lines: string[] = [];
  createOperatorLog({ name: 'host', format: 'json', write: (l) => void lines.push(l) }).info(
    { kind: 'host.launch', outcome: 'ok', ms: 3 },
    'served',
  );
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(entry['name'], 'host');
  assert.equal(entry['msg'], 'served');
  assert.equal(entry['kind'], 'host.launch');
  assert.equal(entry['pid'], undefined, 'no host metadata beyond what we log');

  const pretty: string[] = [];
  const log = createOperatorLog({ name: 'verifier', write: (l) => void pretty.push(l) });
  log.info({ kind: 'attest.start', outcome: 'ok', ms: 4 }, 'served');
  log.debug({ ignored: true }, 'below the level');
  assert.equal(pretty.length, 1);
  assert.match(
    pretty[0]!,
    /^\d\d:\d\d:\d\d\.\d{3} INFO {2}verifier served kind=attest\.start outcome=ok ms=4\n$/,
  );

  assert.equal(shortId('k:0123456789abcdef0123'), 'k:0123456789a…');
  assert.equal(stateName({ serving: 'idle' }), 'serving.idle');
});

test('Endpoint.serve logs each request served with its kind, sender, outcome code and duration; never the body', async () => {
  const lines: string[] = [];
  const log = createOperatorLog({
    name: 'enclave',
    format: 'json',
    write: (l) => void lines.push(l),
  });
  const bus = new MemoryTransport();
  const server = new Endpoint(bus, await signer(), Date.now, log);
  const client = new Endpoint(bus, await signer());
  let refuse = false;
  server.serve('vc.c.p1.enclave', { keys: keyFromSenderId }, async () => {
    if (refuse) throw new ProtocolError('ERR_WRONG_SESSION', 'no such session');
    return { kind: 'shutdown.ack', body: { shutDown: true, waitingFor: [] } };
  });
  const ask = (session: string) =>
    client.request(
      'vc.c.p1.enclave',
      'p1',
      'shutdown.request',
      { session },
      { keys: keyFromSenderId },
    );
  await ask('secret-session-value-1');
  refuse = true;
  await ask('secret-session-value-2');
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    entries.map((e) => [e['msg'], e['kind'], e['computation'], e['outcome']]),
    [
      ['served', 'shutdown.request', 'p1', 'ok'],
      ['served', 'shutdown.request', 'p1', 'ERR_WRONG_SESSION'],
    ],
  );
  assert.equal(entries[0]!['from'], shortId(client.id));
  assert.equal(typeof entries[0]!['ms'], 'number');
  assert.ok(!lines.join('').includes('secret-session-value'), 'no body field in a log line');
});

// docs/asyncapi.yaml cannot drift from the code: it is exactly what scripts/build-asyncapi.ts
// writes today; the AsyncAPI parser accepts it without an error-severity diagnostic; every kind
// the protocol's registry lets an endpoint sign is in it, as a message whose body schema is the
// JSON Schema of the kind's own check; every message a recorded scenario sent travels on a channel
// the document gives it; and the generated JSON Schemas accept and refuse what the code's checks do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { parse } from 'yaml';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import {
  BODY_SCHEMAS,
  LIVENESS_SCHEMAS,
  isVcError,
  jsonSchemaOf,
  type Check,
  type MessageKind,
} from '../protocol/index.js';
import {
  decodePlain,
  channelEnvelopeSchema,
  envelopeSchema,
  parseJournal,
  protocolKinds,
  readEnvelopeHeaderUnverified,
  signEnvelope,
} from '../transport/index.js';
import { ASYNCAPI_FILE, asyncApiYaml } from './build-asyncapi.js';

interface Doc {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<
    string,
    {
      action: string;
      channel: { $ref: string };
      messages: { $ref: string }[];
      reply?: { channel: { $ref: string }; messages: { $ref: string }[] };
    }
  >;
  components: {
    schemas: Record<string, Record<string, unknown>>;
    messages: Record<string, { payload: Record<string, unknown> }>;
  };
}
const committed = readFileSync(ASYNCAPI_FILE, 'utf8');
const doc = parse(committed) as Doc;
const lastToken = (ref: { $ref: string }): string => ref.$ref.split('/').pop() as string;

test("docs/asyncapi.yaml is exactly what npm run build:asyncapi writes from today's code", async () => {
  assert.equal(
    committed,
    await asyncApiYaml(),
    'docs/asyncapi.yaml is stale: npm run build:asyncapi',
  );
});

async function errorsOf(text: string): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(text);
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
}

test('the AsyncAPI parser accepts the document without an error', async () => {
  assert.deepEqual(await errorsOf(committed), []);
});

test('the AsyncAPI parser reports a broken document (the check above can fail)', async () => {
  // An operation naming a message its channel does not carry, and a channel parameter left undeclared.
  const broken = parse(committed) as Doc;
  broken.operations['session.hello']!.messages = [
    { $ref: '#/channels/enclave/messages/host.launch' },
  ];
  const enclave = broken.channels['enclave'] as unknown as { parameters: Record<string, unknown> };
  delete enclave.parameters['computation'];
  const errors = await errorsOf(JSON.stringify(broken));
  assert.ok(errors.length >= 2, errors.join('\n'));
});

test('every kind an endpoint can sign is a message of the document with the same schema', async () => {
  const kinds = protocolKinds().names();
  assert.deepEqual([...kinds].sort(), Object.keys(BODY_SCHEMAS).sort());
  const { schemas, messages } = doc.components;
  const { description: _, ...envelope } = schemas['envelope'] as Record<string, unknown>;
  assert.deepEqual(envelope, jsonSchemaOf(envelopeSchema));
  const { description: __, ...channelEnvelope } = schemas['channelEnvelope'] as Record<
    string,
    unknown
  >;
  assert.deepEqual(channelEnvelope, jsonSchemaOf(channelEnvelopeSchema));
  const sent = new Set<string>();
  for (const op of Object.values(doc.operations)) {
    for (const m of [...op.messages, ...(op.reply?.messages ?? [])]) sent.add(lastToken(m));
  }
  for (const kind of kinds) {
    assert.deepEqual(
      schemas[kind],
      jsonSchemaOf(BODY_SCHEMAS[kind as MessageKind]),
      `the body schema of ${kind}`,
    );
    const payload = JSON.stringify(messages[kind]?.payload);
    assert.ok(payload.includes(`"const":"${kind}"`), `${kind}: the envelope fixes its kind`);
    assert.ok(payload.includes(`"#/components/schemas/${kind}"`), `${kind}: its body schema`);
    assert.ok(sent.has(kind), `${kind}: an operation sends it or replies with it`);
  }
  // Nothing else: every other message of the document is one of the unsigned payloads.
  const extra = Object.keys(messages).filter((m) => !kinds.includes(m));
  assert.deepEqual(extra.sort(), [
    'bulk.chunk',
    'liveness.answer',
    'liveness.empty',
    'liveness.ping',
  ]);
  assert.deepEqual(messages['liveness.answer']?.payload, jsonSchemaOf(LIVENESS_SCHEMAS.answer));
  assert.deepEqual(messages['liveness.ping']?.payload, jsonSchemaOf(LIVENESS_SCHEMAS.ping));
  // And the registry is the gate: a kind outside it cannot be signed.
  const { privateKey } = (await webcrypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  )) as webcrypto.CryptoKeyPair;
  const header = { kind: 'provision.delete', computation: 'p0', from: 'k:00', seq: 1, ts: 1 };
  await assert.rejects(signEnvelope(header, {}, privateKey, protocolKinds()), (e: unknown) =>
    isVcError(e, 'ERR_UNKNOWN_KIND'),
  );
});

/** The channels whose address matches `subject` (namespace `vc`) and that carry `kind`. */
function channelsFor(subject: string, kind: string): string[] {
  return Object.entries(doc.channels)
    .filter(([, c]) => {
      const pattern = c.address
        .replace('{namespace}', 'vc')
        .replace(/\./g, '\\.')
        .replace(/\{[a-z]+\}/g, '[A-Za-z0-9_-]+');
      return new RegExp(`^${pattern}$`).test(subject) && kind in c.messages;
    })
    .map(([id]) => id);
}

const historiesDir = new URL('../scenarios/histories/', import.meta.url);
/** The kind of a recorded message: the envelope's, or which unsigned liveness payload it is. */
function kindOf(data: Uint8Array): { kind: string; from?: string; body?: unknown } {
  if (data.length === 0) return { kind: 'liveness.empty' };
  let kind: string;
  let from: string;
  try {
    ({ kind, from } = readEnvelopeHeaderUnverified(data));
  } catch {
    const value = decodePlain(data);
    for (const name of ['ping', 'answer'] as const)
      if (LIVENESS_SCHEMAS[name](value, 'payload') === undefined)
        return { kind: `liveness.${name}` };
    return { kind: 'unknown' };
  }
  const { body } = decodePlain(data) as { body: Uint8Array };
  return { kind, from, body: decodePlain(body) };
}
function recordedMessages(): { subject: string; kind: string; from?: string; body?: unknown }[] {
  const out: { subject: string; kind: string; from?: string; body?: unknown }[] = [];
  for (const file of readdirSync(historiesDir).filter((f) => f.endsWith('.vcj'))) {
    for (const r of parseJournal(readFileSync(new URL(file, historiesDir))).records)
      out.push({ subject: r.subject, ...kindOf(r.data) });
  }
  return out;
}
const recorded = recordedMessages();

test('every message the recorded scenarios sent travels on a channel the document gives it', () => {
  assert.ok(recorded.length > 100);
  const kinds = new Set<string>();
  for (const { subject, kind } of recorded) {
    kinds.add(kind);
    assert.equal(channelsFor(subject, kind).length, 1, `${kind} on ${subject}`);
  }
  // The scenarios exercise most of the protocol (not the host's stop, nor the failure paths).
  for (const kind of ['host.launch', 'attest.evidence', 'provision.data', 'result.data'])
    assert.ok(kinds.has(kind), kind);
  // The check can fail: a kind on a channel that does not carry it matches nothing.
  assert.deepEqual(channelsFor('vc.verifier', 'provision.data'), []);
  assert.deepEqual(channelsFor('vc.c.p1.enclave.x', 'session.hello'), []);
});

/** The sender ids each role signs under (docs/protocol.md, "Sender ids"). */
const ID_FORMS: Record<string, RegExp> = {
  participant: /^c:[0-9a-f]{64}$/,
  launcher: /^(c:[0-9a-f]{64}|k:0[23][0-9a-f]{64})$/,
  operator: /^k:0[23][0-9a-f]{64}$/,
  host: /^k:0[23][0-9a-f]{64}$/,
  enclave: /^k:0[23][0-9a-f]{64}$/,
  verifier: /^verifier$/,
};

/** The roles the document says send `kind` on `channel`: an operation's `from:`, or a reply's `to:`. */
function sendersOf(channel: string, kind: string): string[] {
  const roles = new Set<string>();
  for (const op of Object.values(doc.operations)) {
    const tags = (op as { tags?: { name: string }[] }).tags ?? [];
    const role = (prefix: string): string[] =>
      tags.filter((t) => t.name.startsWith(prefix)).map((t) => t.name.slice(prefix.length));
    if (
      op.channel.$ref === `#/channels/${channel}` &&
      op.messages.some((m) => lastToken(m) === kind)
    )
      role('from:').forEach((r) => roles.add(r));
    if (
      op.reply?.channel.$ref === `#/channels/${channel}` &&
      op.reply.messages.some((m) => lastToken(m) === kind)
    )
      role('to:').forEach((r) => roles.add(r));
  }
  return [...roles];
}

test('every recorded envelope was signed by a role the document names as its sender', () => {
  let checked = 0;
  for (const { subject, kind, from } of recorded) {
    if (from === undefined) continue;
    const [channel] = channelsFor(subject, kind);
    const roles = sendersOf(channel as string, kind);
    assert.ok(roles.length > 0, `${kind} on ${channel}: no sender`);
    assert.ok(
      roles.some((r) => ID_FORMS[r]?.test(from)),
      `${kind} on ${channel} from ${from}: the document says ${roles.join(', ')}`,
    );
    checked++;
  }
  assert.ok(checked > 100);
  // The check can fail: a participant's id is not the verifier's.
  assert.ok(
    !sendersOf('inbox', 'attest.challenge').some((r) => ID_FORMS[r]?.test(`c:${'0'.repeat(64)}`)),
  );
});

/**
 * JSON view of a decoded body for ajv: bytes become a string of as many characters, each byte b
 * the private-use character U+F700 + b, which format `binary` requires (so a str is not a bin).
 */
const BIN_BASE = 0xf700;
const jsonView = (v: unknown): unknown =>
  v instanceof Uint8Array
    ? Array.from(v, (b) => String.fromCharCode(BIN_BASE + b)).join('')
    : Array.isArray(v)
      ? v.map(jsonView)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonView(x)]))
        : v;

const ajv = new Ajv({ strict: false, allErrors: false });
ajv.addFormat('binary', (s: string) =>
  [...s].every((c) => c.charCodeAt(0) >= BIN_BASE && c.charCodeAt(0) < BIN_BASE + 256),
);

/** The check and its generated JSON Schema give the same verdict on `value`. */
function agree(check: Check, schema: object, value: unknown, what: string): void {
  const byCode = check(value, 'body') === undefined;
  const bySchema = ajv.validate(schema, jsonView(value));
  assert.equal(
    bySchema,
    byCode,
    `${what}: code ${byCode}, JSON Schema ${bySchema} on ${JSON.stringify(jsonView(value))?.slice(0, 300)}`,
  );
}

test('the generated JSON Schemas accept and refuse what the code accepts and refuses', () => {
  const samples = new Map<string, unknown[]>();
  for (const { kind, body } of recorded) {
    if (body === undefined) continue;
    const list = samples.get(kind) ?? [];
    if (list.length < 20) list.push(body);
    samples.set(kind, list);
  }
  let compared = 0;
  for (const [kind, bodies] of samples) {
    const check = BODY_SCHEMAS[kind as MessageKind] as Check;
    const schema = doc.components.schemas[kind] as object;
    for (const body of bodies) {
      agree(check, schema, body, kind);
      const fields = body as Record<string, unknown>;
      for (const key of Object.keys(fields)) {
        const { [key]: _, ...without } = fields;
        agree(check, schema, without, `${kind} without ${key}`);
        agree(check, schema, { ...fields, [key]: true }, `${kind} with ${key}: true`);
        agree(check, schema, { ...fields, [key]: 'x'.repeat(5000) }, `${kind} with a long ${key}`);
        agree(check, schema, { ...fields, [key]: -1 }, `${kind} with ${key}: -1`);
      }
      agree(check, schema, { ...fields, unknown: 1 }, `${kind} with an unknown key`);
      compared++;
    }
  }
  assert.ok(compared > 50, `${compared} bodies compared`);
});

test('the JSON Schema of a file path says what the path check says', () => {
  const check = BODY_SCHEMAS['provision.ack'] as Check;
  const schema = doc.components.schemas['provision.ack'] as object;
  const alphabet = fc.constantFrom('/', '.', 'a', '\0', 'stdin', 'stdout', 'b-c');
  const samples = [
    '/',
    '/a',
    '/a/',
    '//a',
    '/./a',
    '/a/..',
    '/..',
    '/.a',
    '/a..b',
    'a',
    'stdin',
    'stdin/',
    '/stdin',
    '/a\0',
  ];
  for (const path of samples) agree(check, schema, { path, received: 0, complete: true }, path);
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 8 }), (parts) => {
      const path = parts.join('');
      agree(check, schema, { path, received: 0, complete: true }, JSON.stringify(path));
    }),
    { numRuns: 2000 },
  );
});

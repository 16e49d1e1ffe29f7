// Writes docs/asyncapi.yaml, the machine-readable contract of the bus (AsyncAPI 3.0), from the code:
// every message kind and its body schema (protocol/messages/bodies.ts, through jsonSchemaOf), the
// envelope (transport/envelope-layout.ts), the liveness payloads, the subjects (built by
// protocol/messages/subjects.ts with placeholder tokens), the request/reply pairs (REPLY_KIND) and
// the journaled subjects. What the code cannot say (who sends and who receives each kind, on which
// channel) is the table ROUTES below, typed by MessageKind: a new kind does not compile until it is
// placed, and the document picks up its schema by itself. scripts/asyncapi.test.ts checks that the
// committed document is exactly what this script writes, that the AsyncAPI parser accepts it, and
// that the kinds the recorded scenarios send travel where it says.
//   npm run build:asyncapi
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import {
  BODY_SCHEMAS,
  LIVENESS_SCHEMAS,
  MESSAGE_KINDS,
  REPLY_KIND,
  jsonSchemaOf,
  type JsonSchema,
  type MessageKind,
  subjectsFor,
} from '../protocol/index.js';
import { UPLOAD_CHUNK_BYTES, channelEnvelopeSchema, envelopeSchema } from '../transport/index.js';

export const ASYNCAPI_FILE = fileURLToPath(new URL('../docs/asyncapi.yaml', import.meta.url));

type Role = 'participant' | 'launcher' | 'operator' | 'host' | 'enclave' | 'verifier' | 'observer';

/** Subject parameters: a placeholder token per parameter, put through the code's subject builders. */
const PARAMETERS = {
  namespace:
    "The deployment's subject prefix: every subject of one deployment starts with it (`vc` unless the deployment sets a namespace, `--namespace NAME`): a lower-case letter, then up to 31 of `a-z 0-9 _ -`. Its JetStream stream is `<NAMESPACE>_JOURNAL` (upper case) and its KV buckets `<namespace>_computations` and `<namespace>_verifier`.",
  computation:
    "The computation id: `p` followed by the first 32 hex digits of the policy hash (the SHA-256 of the policy file's exact bytes); the envelope's signed `computation`.",
  host: 'The name of one host (its registry entry names it). One token, `[A-Za-z0-9_-]+`.',
  actor:
    "The traced actor's name (`enclave`, `host`, `verifier-…`, `participant-…`). One token, `[A-Za-z0-9_-]+`.",
  inbox:
    "A fresh token per request (the NATS client's inbox id): the request's reply subject, under the namespace so that the journal records replies.",
  stream:
    "The stream id: an upload's `chunk.upload` (also for a file of one chunk); for a result, `k` followed by the first 32 hex digits of SHA-256(replyKey).",
  index:
    "The chunk's index in its stream, from 0 (0 for a stream of one chunk). A decimal integer.",
} as const;
type Parameter = keyof typeof PARAMETERS;
const slot = (p: Parameter): string => `x${p}x`;
/** The default namespace's names; `address` turns its `vc.` prefix into the `{namespace}` parameter. */
const S = subjectsFor('vc');

interface Channel {
  readonly subject: string;
  readonly description: string;
}

/** Every subject of the protocol, built by the code's own subject functions. */
const CHANNELS = {
  hostsLaunch: {
    subject: S.hostsLaunch,
    description: `Launch requests. Hosts subscribe in the queue group \`<namespace>-hosts\` (\`${S.hostsQueue}\` by default), so each launch reaches exactly one host.`,
  },
  hostControl: {
    subject: S.hostControl(slot('host')),
    description: 'Requests to one named host: stopping a computation it holds.',
  },
  verifier: {
    subject: S.verifier,
    description: "The verifier's requests: challenges and evidence (phases 2 to 4).",
  },
  enclave: {
    subject: S.enclave(slot('computation')),
    description:
      "Participants' requests to the enclave of one computation (phases 5 to 11). The enclave acts only on envelopes whose signed `computation` is its own and, but for `session.hello`, whose body names its current `session`.",
  },
  events: {
    subject: S.events(slot('computation')),
    description:
      'Announcements about one computation: by its enclave (`enclave.ready`, `enclave.shutdown`) and by the host holding it (`computation.ended`).',
  },
  trace: {
    subject: S.trace(slot('computation'), slot('actor')),
    description: "State transitions of one actor's machine, for observers and replay.",
  },
  inbox: {
    subject: `${S.inboxPrefix}.${slot('inbox')}`,
    description:
      'The reply subject of one request (NATS request/reply): the reply to the request, or a `protocol.error`.',
  },
  hostsLive: {
    subject: S.hostsLive,
    description: `"Is any host serving?" Hosts answer at once (queue group \`${S.hostsQueue}\`); not journaled, so with no host NATS answers "no responders" at once.`,
  },
  verifierLive: {
    subject: S.verifierLive,
    description: '"Is the verifier there?" The verifier answers at once; not journaled.',
  },
  enclaveLive: {
    subject: S.live(slot('computation')),
    description:
      '"Is the enclave of this computation there, and with which policy and session?" Answered by the enclave from its `enclave.ready` until it closes; not journaled.',
  },
  bulkUpload: {
    subject: S.bulk(slot('computation'), 'upload', slot('stream'), 0),
    description:
      'The sealed bytes of one chunk of an upload, published before the signed `provision.*` that names their SHA-256 and size (docs/protocol.md, "Bulk chunks"); not journaled.',
  },
  bulkResult: {
    subject: S.bulk(slot('computation'), 'result', slot('stream'), 0),
    description:
      'The sealed bytes of one chunk of a result, published before the signed `result.data` that names their SHA-256 and size; not journaled.',
  },
} as const satisfies Record<string, Channel>;
type ChannelId = keyof typeof CHANNELS;

interface Route {
  /** Where the kind travels: `inbox` for a reply; a request kind's own subject. */
  readonly channels: readonly ChannelId[];
  readonly from: readonly Role[];
  readonly to: readonly Role[];
  readonly summary: string;
}

/** Who sends each kind, to whom, on which channels. Replies travel on `inbox`. */
const ROUTES: Record<MessageKind, Route> = {
  'host.launch': {
    channels: ['hostsLaunch'],
    from: ['launcher'],
    to: ['host'],
    summary:
      'Asks a host to start an enclave worker for a policy. Accepted only from a participant of that policy (`c:` id) or an operator key the host trusts (`k:` id).',
  },
  'host.launched': {
    channels: ['inbox'],
    from: ['host'],
    to: ['launcher'],
    summary: 'The host started a worker for the computation.',
  },
  'host.stop': {
    channels: ['hostControl'],
    from: ['operator', 'launcher'],
    to: ['host'],
    summary:
      "Ends a computation the host holds: an operator's stop, or a launcher whose phase 6 check refused the enclave (`failure`).",
  },
  'host.stopped': {
    channels: ['inbox'],
    from: ['host'],
    to: ['operator', 'launcher'],
    summary: "The host ended the worker; `state` is the registry entry's final state.",
  },
  'attest.start': {
    channels: ['verifier'],
    from: ['enclave'],
    to: ['verifier'],
    summary: 'The enclave asks for an attestation challenge for its computation and policy.',
  },
  'attest.challenge': {
    channels: ['inbox'],
    from: ['verifier'],
    to: ['enclave'],
    summary: 'A fresh nonce the evidence must bind, valid until `expiresAt`.',
  },
  'attest.evidence': {
    channels: ['verifier'],
    from: ['enclave'],
    to: ['verifier'],
    summary:
      "Evidence binding the nonce, the SHA-256 of the CSR, the runtime measurement and the policy hash, with the CSR of the enclave's signing key.",
  },
  'attest.certificate': {
    channels: ['inbox'],
    from: ['verifier'],
    to: ['enclave'],
    summary: "The enclave's certificate chain, leaf first, issued after appraisal.",
  },
  'session.hello': {
    channels: ['enclave'],
    from: ['participant'],
    to: ['enclave'],
    summary: "A participant's opening request; the only one not bound to a session.",
  },
  'enclave.ready': {
    channels: ['inbox', 'events'],
    from: ['enclave'],
    to: ['participant', 'launcher', 'host', 'observer'],
    summary:
      "The enclave's certificate chain, policy hash, platform and fresh session id: the reply to `session.hello`, and published once on the events subject.",
  },
  'provision.program': {
    channels: ['enclave'],
    from: ['participant'],
    to: ['enclave'],
    summary: "A program file (or one chunk of it), sealed to the enclave's attested HPKE key.",
  },
  'provision.data': {
    channels: ['enclave'],
    from: ['participant'],
    to: ['enclave'],
    summary:
      "A data file (or one chunk of it), sealed to the enclave's attested HPKE key, written, appended or fed as standard input.",
  },
  'provision.ack': {
    channels: ['inbox'],
    from: ['enclave'],
    to: ['participant'],
    summary:
      'One chunk (or the whole file) received; `complete` once the file is whole and accepted.',
  },
  'compute.request': {
    channels: ['enclave'],
    from: ['participant'],
    to: ['enclave'],
    summary: 'Runs a program or a pipeline of the policy.',
  },
  'compute.done': {
    channels: ['inbox'],
    from: ['enclave'],
    to: ['participant'],
    summary: 'The run ended with this exit code.',
  },
  'result.read': {
    channels: ['enclave'],
    from: ['participant'],
    to: ['enclave'],
    summary:
      'Reads a result file, sealed to the fresh `replyKey` carried in this signed request; with `chunk`, a later chunk of a result stream.',
  },
  'result.data': {
    channels: ['inbox'],
    from: ['enclave'],
    to: ['participant'],
    summary: "One chunk of a result (or the whole result), sealed to the reader's `replyKey`.",
  },
  'shutdown.request': {
    channels: ['enclave'],
    from: ['participant'],
    to: ['enclave'],
    summary: "Asks the enclave to shut down, under the policy's shutdown rule.",
  },
  'shutdown.ack': {
    channels: ['inbox'],
    from: ['enclave'],
    to: ['participant'],
    summary: 'Whether the enclave shuts down, and whose consent is still missing.',
  },
  'enclave.shutdown': {
    channels: ['events'],
    from: ['enclave'],
    to: ['participant', 'launcher', 'host', 'observer'],
    summary: 'The enclave is shutting down, and why.',
  },
  'computation.ended': {
    channels: ['events'],
    from: ['host'],
    to: ['participant', 'launcher', 'observer'],
    summary:
      'The host holding the computation announces its end (a final registry state): waiting participants stop at once with `code`.',
  },
  'protocol.error': {
    channels: ['inbox'],
    from: ['host', 'verifier', 'enclave'],
    to: ['launcher', 'operator', 'enclave', 'participant'],
    summary:
      'A refusal of a request: a stable `ERR_*` code (docs/errors.md), a message and plain details.',
  },
  'trace.transition': {
    channels: ['trace'],
    from: ['participant', 'host', 'enclave', 'verifier'],
    to: ['observer'],
    summary:
      "One state transition of one actor's machine (never a secret); journals written before trace batches.",
  },
  'trace.batch': {
    channels: ['trace'],
    from: ['participant', 'host', 'enclave', 'verifier'],
    to: ['observer'],
    summary:
      "State transitions of one actor's machine, signed once per batch (each record with its own time; never a secret).",
  },
  'session.open': {
    channels: ['enclave'],
    from: ['participant'],
    to: ['enclave'],
    summary:
      "Opens a session channel after phase 6: an HPKE encapsulation to the enclave's attested key, from which both ends export one MAC key per direction (signed).",
  },
  'session.opened': {
    channels: ['inbox'],
    from: ['enclave'],
    to: ['participant'],
    summary:
      "The channel id; the channel's requests and replies are then version 2 (MAC'd) envelopes.",
  },
  'session.close': {
    channels: ['enclave'],
    from: ['participant'],
    to: ['enclave'],
    summary: "Closes the session channel after its last step (MAC'd on the channel).",
  },
  'session.receipt': {
    channels: ['inbox'],
    from: ['enclave'],
    to: ['participant', 'observer'],
    summary:
      "The enclave's signed receipt: message counts each way and the transcript hash over every message of the channel, so the journal stays verifiable by anyone.",
  },
};

/** Messages that are not signed envelopes. */
const PLAIN_MESSAGES = {
  'liveness.ping': {
    summary: "A participant's ping of the enclave (unsigned plain msgpack).",
    contentType: 'application/msgpack',
    payload: jsonSchemaOf(LIVENESS_SCHEMAS.ping),
  },
  'liveness.answer': {
    summary:
      "The enclave's answer (unsigned plain msgpack): it only decides how soon a waiter gives up, never what it trusts.",
    contentType: 'application/msgpack',
    payload: jsonSchemaOf(LIVENESS_SCHEMAS.answer),
  },
  'liveness.empty': {
    summary: "An empty payload: the hosts' and the verifier's liveness pings and answers.",
    contentType: 'application/octet-stream',
    payload: { type: 'string', format: 'binary', maxLength: 0 },
  },
  'bulk.chunk': {
    summary:
      'One sealed chunk: `enc` (65 bytes) || AES-256-GCM ciphertext || tag (16 bytes) (docs/protocol.md, "Sealing").',
    contentType: 'application/octet-stream',
    payload: { type: 'string', format: 'binary', maxLength: 65 + UPLOAD_CHUNK_BYTES + 16 },
  },
} as const;
type PlainMessage = keyof typeof PLAIN_MESSAGES;

interface PlainOperation {
  readonly id: string;
  readonly channel: ChannelId;
  readonly message: PlainMessage;
  readonly reply?: PlainMessage;
  readonly from: readonly Role[];
  readonly to: readonly Role[];
  readonly summary: string;
  readonly queue?: string;
}

const PLAIN_OPERATIONS: readonly PlainOperation[] = [
  {
    id: 'liveness.hosts',
    channel: 'hostsLive',
    message: 'liveness.empty',
    reply: 'liveness.empty',
    from: ['launcher'],
    to: ['host'],
    summary: 'Before a launch: no answer within 2 s is ERR_NO_HOSTS.',
    queue: S.hostsQueue,
  },
  {
    id: 'liveness.verifier',
    channel: 'verifierLive',
    message: 'liveness.empty',
    reply: 'liveness.empty',
    from: ['enclave'],
    to: ['verifier'],
    summary: 'Before attesting: no answer is ERR_VERIFIER_UNAVAILABLE.',
  },
  {
    id: 'liveness.enclave',
    channel: 'enclaveLive',
    message: 'liveness.ping',
    reply: 'liveness.answer',
    from: ['participant'],
    to: ['enclave'],
    summary:
      "Before a participant's first request, and every 2 s while it waits for a reply: no answer is ERR_NO_ENCLAVE (or ERR_ENCLAVE_LOST), another policy hash ERR_POLICY_HASH_MISMATCH.",
  },
  {
    id: 'bulk.upload',
    channel: 'bulkUpload',
    message: 'bulk.chunk',
    from: ['participant'],
    to: ['enclave'],
    summary: 'The sealed bytes of an upload chunk, then its signed `provision.*`.',
  },
  {
    id: 'bulk.result',
    channel: 'bulkResult',
    message: 'bulk.chunk',
    from: ['enclave'],
    to: ['participant'],
    summary: 'The sealed bytes of a result chunk, then its signed `result.data`.',
  },
];

/** `vc.c.xcomputationx.enclave` -> `{namespace}.c.{computation}.enclave`, and its parameters. */
function address(subject: string): { address: string; parameters: Parameter[] } {
  if (!subject.startsWith('vc.')) throw new Error(`subject ${subject} is not under vc.`);
  let out = `{namespace}${subject.slice(2)}`;
  const parameters: Parameter[] = ['namespace'];
  for (const p of Object.keys(PARAMETERS) as Parameter[]) {
    if (out.includes(slot(p))) {
      out = out.replace(slot(p), `{${p}}`);
      parameters.push(p);
    }
  }
  if (out.startsWith('{namespace}.bulk.')) {
    // bulkSubject's last token is the chunk index (built with 0 above).
    if (!out.endsWith('.0')) throw new Error(`bulk subject ${subject} does not end in its index`);
    out = `${out.slice(0, -2)}.{index}`;
    parameters.push('index');
  }
  return { address: out, parameters };
}

const ref = (path: string): { $ref: string } => ({ $ref: `#/${path}` });
const roles = (from: readonly Role[], to: readonly Role[]): string =>
  `Sent by: ${from.join(', ')}. Received by: ${to.join(', ')}.`;
const tags = (from: readonly Role[], to: readonly Role[]): { name: string }[] => [
  ...from.map((r) => ({ name: `from:${r}` })),
  ...to.map((r) => ({ name: `to:${r}` })),
];

/** The envelope of one kind: the generic envelope with `kind` fixed and `body` decoding to the kind's schema. */
function envelopePayload(kind: MessageKind): JsonSchema {
  return {
    allOf: [
      ref('components/schemas/envelope'),
      {
        type: 'object',
        properties: {
          kind: { const: kind },
          body: {
            description: `The plain msgpack encoding of a \`${kind}\` body (x-msgpack-body), as bin; the signature covers these exact bytes.`,
            contentMediaType: 'application/msgpack',
            'x-msgpack-body': ref(`components/schemas/${kind}`),
          },
        },
      },
    ],
  };
}

/** The AsyncAPI 3.0 document of today's protocol, as a plain object. */
export function asyncApiDocument(): Record<string, unknown> {
  const version = (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
  const placed = new Set(Object.keys(ROUTES));
  for (const kind of MESSAGE_KINDS)
    if (!placed.has(kind)) throw new Error(`message kind ${kind} has no route`);

  const channelMessages = new Map<ChannelId, Set<string>>();
  const onChannel = (channel: ChannelId, message: string): void => {
    const set = channelMessages.get(channel) ?? new Set<string>();
    set.add(message);
    channelMessages.set(channel, set);
  };
  for (const kind of MESSAGE_KINDS) for (const c of ROUTES[kind].channels) onChannel(c, kind);
  for (const op of PLAIN_OPERATIONS) {
    onChannel(op.channel, op.message);
    if (op.reply) onChannel('inbox', op.reply);
  }

  const channels = Object.fromEntries(
    (Object.entries(CHANNELS) as [ChannelId, Channel][]).map(([id, c]) => {
      const { address: addr, parameters } = address(c.subject);
      return [
        id,
        {
          address: addr,
          description: c.description,
          parameters: Object.fromEntries(
            parameters.map((p) => [p, ref(`components/parameters/${p}`)]),
          ),
          messages: Object.fromEntries(
            [...(channelMessages.get(id) ?? [])]
              .sort()
              .map((m) => [m, ref(`components/messages/${m}`)]),
          ),
          'x-journaled': S.isJournaled(c.subject),
        },
      ];
    }),
  );

  const operations: Record<string, unknown> = {};
  for (const kind of MESSAGE_KINDS) {
    const route = ROUTES[kind];
    const reply = (REPLY_KIND as Partial<Record<MessageKind, MessageKind>>)[kind];
    for (const channel of route.channels) {
      if (channel === 'inbox') continue;
      operations[kind] = {
        action: 'send',
        channel: ref(`channels/${channel}`),
        summary: route.summary,
        description: roles(route.from, route.to),
        tags: tags(route.from, route.to),
        messages: [ref(`channels/${channel}/messages/${kind}`)],
        ...(channel === 'hostsLaunch' ? { bindings: natsQueue(S.hostsQueue) } : {}),
        ...(reply
          ? {
              reply: {
                channel: ref('channels/inbox'),
                messages: [
                  ref(`channels/inbox/messages/${reply}`),
                  ref('channels/inbox/messages/protocol.error'),
                ],
              },
            }
          : {}),
      };
    }
  }
  for (const op of PLAIN_OPERATIONS) {
    operations[op.id] = {
      action: 'send',
      channel: ref(`channels/${op.channel}`),
      summary: op.summary,
      description: roles(op.from, op.to),
      tags: tags(op.from, op.to),
      messages: [ref(`channels/${op.channel}/messages/${op.message}`)],
      ...(op.queue ? { bindings: natsQueue(op.queue) } : {}),
      ...(op.reply
        ? {
            reply: {
              channel: ref('channels/inbox'),
              messages: [ref(`channels/inbox/messages/${op.reply}`)],
            },
          }
        : {}),
    };
  }

  const messages: Record<string, unknown> = {};
  for (const kind of MESSAGE_KINDS) {
    messages[kind] = {
      name: kind,
      summary: ROUTES[kind].summary,
      contentType: 'application/msgpack',
      payload: envelopePayload(kind),
    };
  }
  for (const [name, m] of Object.entries(PLAIN_MESSAGES)) messages[name] = { name, ...m };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Veracruz-TS wire protocol',
      version,
      description: [
        'Generated by `npm run build:asyncapi` (scripts/build-asyncapi.ts) from the code; do not edit by hand.',
        "Byte-level rules (plain msgpack, the envelope's signed bytes, sender ids, sealing, chunking, replies, errors) and test vectors: docs/protocol.md. Phases and access rules: docs/protocol-flow.md.",
        "Every message but the liveness payloads and the bulk chunks is a signed envelope (components/schemas/envelope): a msgpack map whose `body` is a bin holding the plain msgpack of the kind's body (its schema is the `x-msgpack-body` of the message's `body`). msgpack types map to JSON Schema as: str = string (maxLength counts UTF-16 code units), bin = string with format binary (maxLength counts bytes), int = integer, map = object, array = array, nil = null.",
        "Operations are described from the sender's side (action send); each says who sends and who receives, and the tags `from:ROLE` and `to:ROLE` say it too. A request's reply arrives on its inbox subject: the reply kind, or `protocol.error`.",
        'Channels with x-journaled true are recorded by the journal (a JetStream stream over them).',
      ].join('\n\n'),
    },
    defaultContentType: 'application/msgpack',
    servers: {
      nats: {
        host: 'localhost:4222',
        protocol: 'nats',
        description:
          'Any NATS server or cluster (core NATS; JetStream only for the journal and the state buckets).',
      },
    },
    channels,
    operations,
    components: {
      parameters: Object.fromEntries(
        (Object.entries(PARAMETERS) as [Parameter, string][]).map(([p, description]) => [
          p,
          p === 'namespace' ? { description, default: 'vc', examples: ['vc'] } : { description },
        ]),
      ),
      schemas: {
        envelope: {
          description:
            'The signed envelope (docs/protocol.md, "Envelope"): a msgpack fixmap of exactly these 8 entries in this order; `sig` signs the 7 entries before it.',
          ...jsonSchemaOf(envelopeSchema),
        },
        channelEnvelope: {
          description:
            "A session-channel envelope (docs/protocol.md, \"Session channels\"): the same 8 entries with `v` 2, `sig` the 16-byte channel id then an HMAC-SHA256 under the channel's key for its direction. A participant's requests to the enclave after `session.opened`, and the enclave's replies to them, travel in it.",
          ...jsonSchemaOf(channelEnvelopeSchema),
        },
        ...Object.fromEntries(MESSAGE_KINDS.map((k) => [k, jsonSchemaOf(BODY_SCHEMAS[k])])),
      },
      messages,
    },
  };
}

function natsQueue(queue: string): Record<string, unknown> {
  return { nats: { queue, bindingVersion: '0.1.0' } };
}

/** The document as committed: YAML, formatted by the project's prettier settings. */
export async function asyncApiYaml(): Promise<string> {
  const text = `# Generated by scripts/build-asyncapi.ts (npm run build:asyncapi); do not edit.\n${stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
  return format(text, { ...(await resolveConfig(ASYNCAPI_FILE)), parser: 'yaml' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(ASYNCAPI_FILE, await asyncApiYaml());
}

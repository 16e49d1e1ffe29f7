// Least privilege on a shared NATS server (docs/nats-permissions.md): the exact subjects each role
// publishes and subscribes to, and a nats-server configuration (one account, a user per role) built
// from them. The subjects come from protocol/messages/subjects.ts; the JetStream API subjects are
// those of the journal stream and the role's KV buckets only, without delete or purge.
//
// Replies: a role that serves requests gets `allow_responses` (it may publish to the reply subject
// of a request it received, once), never publish rights on the inboxes; a role that sends requests
// subscribes to its namespace's inboxes (`<ns>.inbox.>`, where replies land and the journal records
// them) and, when it uses JetStream, to `_INBOX.>` (nats.js's own inbox for JetStream API replies).
import { subjectPatterns, type Subjects } from '../protocol/index.js';

export type NatsRole = 'participant' | 'host' | 'enclave-worker' | 'verifier' | 'watcher';

export const NATS_ROLES: readonly NatsRole[] = [
  'participant',
  'host',
  'enclave-worker',
  'verifier',
  'watcher',
];

export interface RoleScope {
  /** participant: the computations it may reach (ids `p…`, a placeholder, or `*`). */
  readonly computations?: readonly string[];
  /** host: its `--name` (its control subject); `*` or a placeholder allowed. */
  readonly host?: string;
  /** verifier: it keeps its state in the KV bucket (`vc verifier --store-nats`). */
  readonly verifierStore?: boolean;
}

export interface RolePermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /** May answer the requests it receives (publish once to their reply subject). */
  readonly allowResponses: boolean;
}

/** JetStream API rights to create (or update) a stream and read its info. */
function streamSetup(stream: string): string[] {
  return [
    '$JS.API.INFO',
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.UPDATE.${stream}`,
    `$JS.API.STREAM.INFO.${stream}`,
  ];
}

/** JetStream API rights to read a stream through an ephemeral consumer. */
function streamRead(stream: string): string[] {
  return [
    '$JS.API.INFO',
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.>`,
  ];
}

/** Rights to open (creating it if missing), read and write one KV bucket. */
function bucketUse(bucket: string): string[] {
  const stream = `KV_${bucket}`;
  return [...streamSetup(stream), ...streamRead(stream), `$KV.${bucket}.>`];
}

/** Rights to open an existing KV bucket and read it (get, list keys). */
function bucketRead(bucket: string): string[] {
  return streamRead(`KV_${bucket}`);
}

const unique = (items: readonly string[]): string[] => [...new Set(items)];

/** The permissions of one role in one namespace (see the header and docs/nats-permissions.md). */
export function rolePermissions(
  subjects: Subjects,
  role: NatsRole,
  scope: RoleScope = {},
): RolePermissions {
  const any = subjectPatterns(subjects, { computation: '*', host: scope.host ?? '*' });
  switch (role) {
    case 'participant': {
      const mine = (scope.computations ?? ['*']).map((computation) =>
        subjectPatterns(subjects, { computation, host: '*' }),
      );
      return {
        publish: unique([
          subjects.hostsLaunch,
          subjects.hostsLive,
          // asks the host to end an enclave it refuses (the launcher) or an operator stop
          any.hostControl,
          ...mine.flatMap((p) => [p.enclave, p.live, p.trace('*'), p.bulk('upload')]),
        ]),
        subscribe: unique([any.inboxes, ...mine.flatMap((p) => [p.events, p.bulk('result')])]),
        allowResponses: false,
      };
    }
    case 'host':
      return {
        publish: unique([
          any.events,
          any.trace('host'),
          ...streamSetup(subjects.journalStream),
          ...bucketUse(subjects.computationsBucket),
        ]),
        subscribe: unique([
          subjects.hostsLaunch,
          subjects.hostsLive,
          any.hostControl,
          any.events,
          any.trace('enclave'),
          '_INBOX.>',
        ]),
        allowResponses: true,
      };
    case 'enclave-worker':
      return {
        publish: unique([
          subjects.verifier,
          subjects.verifierLive,
          any.events,
          any.trace('enclave'),
          any.bulk('result'),
        ]),
        subscribe: unique([any.enclave, any.live, any.bulk('upload'), any.inboxes]),
        allowResponses: true,
      };
    case 'verifier':
      return {
        publish: unique([
          any.trace('verifier'),
          ...streamSetup(subjects.journalStream),
          ...(scope.verifierStore ? bucketUse(subjects.verifierBucket) : []),
        ]),
        subscribe: unique([subjects.verifier, subjects.verifierLive, '_INBOX.>']),
        allowResponses: true,
      };
    case 'watcher':
      return {
        publish: unique([
          ...streamRead(subjects.journalStream),
          ...bucketRead(subjects.computationsBucket),
        ]),
        subscribe: unique([...subjects.journal, '_INBOX.>']),
        allowResponses: false,
      };
  }
}

export interface NatsUser {
  readonly user: string;
  /** Plain text, or a bcrypt hash (`nats server passwd`), as nats-server accepts both. */
  readonly password: string;
  readonly role: NatsRole;
  readonly scope?: RoleScope;
}

const quote = (text: string): string => JSON.stringify(text);

function list(items: readonly string[], indent: string): string {
  return `[\n${items.map((i) => `${indent}  ${quote(i)}`).join('\n')}\n${indent}]`;
}

/** One user's entry of a nats-server `users` list. */
function userEntry(subjects: Subjects, user: NatsUser, indent: string): string {
  const p = rolePermissions(subjects, user.role, user.scope);
  const inner = `${indent}    `;
  return [
    `${indent}{`,
    `${indent}  user: ${quote(user.user)}`,
    `${indent}  password: ${quote(user.password)}`,
    `${indent}  permissions: {`,
    `${inner}publish: { allow: ${list(p.publish, inner)} }`,
    `${inner}subscribe: { allow: ${list(p.subscribe, inner)} }`,
    ...(p.allowResponses ? [`${inner}allow_responses: true`] : []),
    `${indent}  }`,
    `${indent}}`,
  ].join('\n');
}

/**
 * The `accounts` block of a nats-server configuration: one account (JetStream enabled) holding
 * every deployment's users, each with its role's permissions in its deployment's namespace. Two
 * namespaces on one server share the account; their users' permissions keep them apart.
 */
export function natsAccountsConfig(
  deployments: readonly { readonly subjects: Subjects; readonly users: readonly NatsUser[] }[],
  account = 'VC',
): string {
  const users = deployments.flatMap((d) => d.users.map((u) => userEntry(d.subjects, u, '      ')));
  return [
    'accounts {',
    `  ${account}: {`,
    '    jetstream: enabled',
    '    users: [',
    users.join('\n'),
    '    ]',
    '  }',
    '}',
  ].join('\n');
}

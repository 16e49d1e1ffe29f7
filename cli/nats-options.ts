// The connection options of every command that connects to NATS, read the way the NATS tools read
// them (docs/running-across-machines.md): a command-line flag first, then its environment variable,
// then the `nats` CLI's context (`--context NAME`, $NATS_CONTEXT, or the selected one in
// ~/.config/nats/context.txt), then the default. Credentials come whole from the first of these
// that names any (user and password, a token, an NKey seed file or a credentials file), never
// mixed from two. `--namespace` (default `vc`) prefixes every subject, stream and bucket.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NAMESPACE, isNamespace, UsageError, VcError } from '../protocol/index.js';
import type { NatsAuth, NatsConnectionSettings, NatsTls } from '../transport/index.js';

const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** The parseOptions table entries every connecting command takes. */
export const NATS_OPTIONS = {
  nats: { type: 'string' },
  context: { type: 'string' },
  creds: { type: 'string' },
  nkey: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  token: { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  namespace: { type: 'string' },
} as const;

/** `--replicas N`, for the commands that create the journal stream or a bucket. */
export const REPLICAS_OPTION = { replicas: { type: 'string' } } as const;

export const NATS_USAGE = `NATS connection (each also from its environment variable, then from the nats CLI's context):
  --nats URL[,URL...]  server(s), a cluster's seeds ($VC_NATS_URL, $NATS_URL; default
                   ${DEFAULT_NATS_URL})
  --context NAME   a saved \`nats\` CLI context (~/.config/nats/context/NAME.json; $NATS_CONTEXT;
                   default: the selected one, if any)
  --creds FILE     JWT credentials file ($NATS_CREDS)
  --nkey FILE      NKey user seed file ($NATS_NKEY)
  --user U --password P  user and password ($NATS_USER, $NATS_PASSWORD)
  --token T        authentication token ($NATS_TOKEN)
  --tls-ca FILE    CA that signs the servers' certificates ($NATS_CA)
  --tls-cert FILE --tls-key FILE  client certificate and key, mutual TLS ($NATS_CERT, $NATS_KEY)
  --namespace NAME prefix of every subject, stream and bucket ($VC_NAMESPACE; default vc): one
                   server carries any number of deployments, each in its own namespace`;

export const REPLICAS_USAGE = `  --replicas N     copies of the journal stream and of every bucket on a JetStream cluster
                   ($VC_REPLICAS; default 1; at most the cluster's size)`;

type NatsValues = { readonly [K in keyof typeof NATS_OPTIONS]?: string | undefined };

/** The fields of a `nats` CLI context file this reads. */
interface NatsContext {
  readonly url?: string;
  readonly user?: string;
  readonly password?: string;
  readonly creds?: string;
  readonly nkey?: string;
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

function settingsError(message: string, details: Record<string, unknown>): VcError {
  return new VcError('ERR_NATS_SETTINGS', message, { details });
}

/** The context's file: ~/.config/nats/context/NAME.json ($XDG_CONFIG_HOME honoured). */
function contextFolder(env: NodeJS.ProcessEnv): string {
  return join(env['XDG_CONFIG_HOME'] ?? join(env['HOME'] ?? homedir(), '.config'), 'nats');
}

/** The named context, or the selected one (context.txt) when none is named; undefined if neither. */
function readContext(name: string | undefined, env: NodeJS.ProcessEnv): NatsContext | undefined {
  const folder = contextFolder(env);
  let chosen = name;
  if (chosen === undefined) {
    try {
      chosen = readFileSync(join(folder, 'context.txt'), 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
    if (chosen === undefined) return undefined;
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(chosen) || chosen.startsWith('.'))
    throw settingsError(`"${chosen}" is not a context name`, { context: chosen });
  const file = join(folder, 'context', `${chosen}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw settingsError(`no nats context "${chosen}" (${file})`, { context: chosen, file });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw settingsError(`the nats context "${chosen}" is not a JSON object`, { context: chosen });
  const fields: Record<string, string> = {};
  for (const key of ['url', 'user', 'password', 'creds', 'nkey', 'token', 'cert', 'key', 'ca']) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === 'string' && field !== '') fields[key] = field;
  }
  return fields;
}

/** The first source's credentials that names any; ERR_USAGE for two ways at once in one source. */
function authOf(source: {
  user?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
  creds?: string | undefined;
  nkey?: string | undefined;
}): NatsAuth | undefined {
  const ways = [
    source.user !== undefined || source.password !== undefined ? 'user' : undefined,
    source.token !== undefined ? 'token' : undefined,
    source.creds !== undefined ? 'creds' : undefined,
    source.nkey !== undefined ? 'nkey' : undefined,
  ].filter((w) => w !== undefined);
  if (ways.length === 0) return undefined;
  if (ways.length > 1)
    throw new UsageError(`one way to authenticate at a time, not ${ways.join(' and ')}`);
  if (source.password !== undefined && source.user === undefined)
    throw new UsageError('--password needs --user');
  return {
    ...(source.user === undefined ? {} : { user: source.user }),
    ...(source.password === undefined ? {} : { password: source.password }),
    ...(source.token === undefined ? {} : { token: source.token }),
    ...(source.creds === undefined ? {} : { credsFile: source.creds }),
    ...(source.nkey === undefined ? {} : { nkeyFile: source.nkey }),
  };
}

/** The servers of a `--nats` value: comma-separated URLs, each `host:port` or `scheme://…`. */
function serversOf(value: string): string[] {
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (servers.length === 0) throw new UsageError('--nats expects URL[,URL...]');
  for (const server of servers) {
    try {
      new URL(server.includes('://') ? server : `nats://${server}`);
    } catch {
      throw new UsageError(`--nats: "${server.replace(/\/\/[^@/]*@/, '//')}" is not a URL`);
    }
  }
  return servers;
}

/**
 * The connection settings a command's options, the environment and the `nats` CLI context give
 * (see the header). ERR_USAGE for a malformed value, ERR_NATS_SETTINGS for a missing context.
 */
export function natsSettingsFrom(
  values: NatsValues,
  env: NodeJS.ProcessEnv = process.env,
): NatsConnectionSettings {
  const context = readContext(values.context ?? env['NATS_CONTEXT'], env);
  const url =
    values.nats ?? env['VC_NATS_URL'] ?? env['NATS_URL'] ?? context?.url ?? DEFAULT_NATS_URL;
  const auth =
    authOf(values) ??
    authOf({
      user: env['NATS_USER'],
      password: env['NATS_PASSWORD'],
      token: env['NATS_TOKEN'],
      creds: env['NATS_CREDS'],
      nkey: env['NATS_NKEY'],
    }) ??
    (context ? authOf(context) : undefined);
  const tlsCa = values['tls-ca'] ?? env['NATS_CA'] ?? context?.ca;
  const tlsCert = values['tls-cert'] ?? env['NATS_CERT'] ?? context?.cert;
  const tlsKey = values['tls-key'] ?? env['NATS_KEY'] ?? context?.key;
  if ((tlsCert === undefined) !== (tlsKey === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  const tls: NatsTls = {
    ...(tlsCa === undefined ? {} : { caFile: tlsCa }),
    ...(tlsCert === undefined ? {} : { certFile: tlsCert }),
    ...(tlsKey === undefined ? {} : { keyFile: tlsKey }),
  };
  const namespace = values.namespace ?? env['VC_NAMESPACE'] ?? DEFAULT_NAMESPACE;
  if (!isNamespace(namespace))
    throw new UsageError(
      `--namespace expects a lower-case letter then up to 31 of a-z 0-9 _ -, got "${namespace}"`,
    );
  return {
    servers: serversOf(url),
    ...(auth ? { auth } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
    namespace,
  };
}

/** `--replicas N` ($VC_REPLICAS): undefined when absent; ERR_USAGE unless a whole number 1..5. */
export function replicasFrom(
  values: { readonly replicas?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): number | undefined {
  const text = values.replicas ?? env['VC_REPLICAS'];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 5)
    throw new UsageError(`--replicas expects a whole number from 1 to 5, got "${text}"`);
  return n;
}

/**
 * How a host's enclave workers connect: the host's servers, namespace and TLS, with the
 * credentials of the `nats` context `context` names (and its TLS files where it names some);
 * the host's own settings when no context is named.
 */
export function workerSettingsFrom(
  host: NatsConnectionSettings,
  context: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): NatsConnectionSettings {
  if (context === undefined) return host;
  const named = readContext(context, env)!;
  const auth = authOf(named);
  const tls: NatsTls = {
    ...host.tls,
    ...(named.ca === undefined ? {} : { caFile: named.ca }),
    ...(named.cert === undefined ? {} : { certFile: named.cert }),
    ...(named.key === undefined ? {} : { keyFile: named.key }),
  };
  const { auth: _, tls: __, ...rest } = host;
  return {
    ...rest,
    ...(auth ? { auth } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}

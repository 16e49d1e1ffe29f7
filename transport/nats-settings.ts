// How to reach a NATS deployment, as the NATS tools take it: one or several server URLs (a
// cluster's seeds), one way to authenticate (user and password, a token, an NKey seed file or a JWT
// credentials file) and TLS (a CA to trust, a client certificate and key). `cli/nats-options.ts`
// builds these from the command line, the environment and the `nats` CLI's contexts; the NATS
// transport turns them into nats.js options here. Secrets never appear in messages: URLs are shown
// without their user information and files by path only.
import { readFileSync } from 'node:fs';
import {
  credsAuthenticator,
  nkeyAuthenticator,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { TransportError } from './errors.js';

export interface NatsAuth {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** A JWT credentials file (`nsc`, `nats context` creds). */
  readonly credsFile?: string;
  /** A file holding an NKey user seed (`SU…`). */
  readonly nkeyFile?: string;
}

export interface NatsTls {
  /** PEM of the CA(s) that sign the servers' certificates. */
  readonly caFile?: string;
  /** PEM of this client's certificate (mutual TLS) and its key. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

/** Everything needed to connect, as plain data (it travels to enclave worker processes as JSON). */
export interface NatsConnectionSettings {
  /** One URL or several (a cluster's seeds). */
  readonly servers: readonly string[];
  readonly auth?: NatsAuth;
  readonly tls?: NatsTls;
  /** The namespace of every subject, stream and bucket (default `vc`). */
  readonly namespace?: string;
}

/** A URL as it may be shown: without `user:password@`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)?[^@/]*@/i, (_, scheme: string | undefined) => scheme ?? '');
}

/** The URLs as they may be shown, comma separated. */
export function shownServers(servers: readonly string[]): string {
  return servers.map(redactUrl).join(',');
}

function readSetting(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (error) {
    throw new TransportError('ERR_NATS_SETTINGS', `cannot read the ${what} ${file}`, {
      details: { file, errno: (error as NodeJS.ErrnoException).code },
    });
  }
}

/**
 * The nats.js options for `auth` and `tls`: files are read now, so an unreadable one is
 * ERR_NATS_SETTINGS naming it before any connection is tried.
 */
export function natsAuthOptions(
  auth: NatsAuth | undefined,
  tls: NatsTls | undefined,
): Partial<NodeConnectionOptions> {
  const options: { -readonly [K in keyof NodeConnectionOptions]?: NodeConnectionOptions[K] } = {};
  if (auth?.credsFile !== undefined)
    options.authenticator = credsAuthenticator(readSetting(auth.credsFile, 'credentials file'));
  else if (auth?.nkeyFile !== undefined) {
    const seed = new TextDecoder().decode(readSetting(auth.nkeyFile, 'NKey seed file')).trim();
    const line = seed.split(/\s+/).find((word) => /^S[A-Z2-7]{50,}$/.test(word));
    if (!line)
      throw new TransportError(
        'ERR_NATS_SETTINGS',
        `the NKey seed file ${auth.nkeyFile} holds no seed`,
        { details: { file: auth.nkeyFile } },
      );
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(line));
  }
  if (auth?.token !== undefined) options.token = auth.token;
  if (auth?.user !== undefined) {
    options.user = auth.user;
    if (auth.password !== undefined) options.pass = auth.password;
  }
  if (tls && (tls.caFile ?? tls.certFile ?? tls.keyFile) !== undefined) {
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined))
      throw new TransportError(
        'ERR_NATS_SETTINGS',
        'a TLS client certificate needs its key, and a key its certificate',
        { details: { certFile: tls.certFile, keyFile: tls.keyFile } },
      );
    const text = (file: string, what: string) => new TextDecoder().decode(readSetting(file, what));
    options.tls = {
      ...(tls.caFile === undefined ? {} : { ca: text(tls.caFile, 'TLS CA file') }),
      ...(tls.certFile === undefined ? {} : { cert: text(tls.certFile, 'TLS certificate file') }),
      ...(tls.keyFile === undefined ? {} : { key: text(tls.keyFile, 'TLS key file') }),
    };
  }
  return options;
}

/**
 * The environment variable that hands connection settings to an enclave worker process (JSON):
 * in its environment (readable by its user only) rather than on its command line (readable by all).
 */
export const NATS_SETTINGS_ENV = 'VC_NATS_SETTINGS';

/** The settings an enclave worker process was handed in NATS_SETTINGS_ENV, if any. */
export function settingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): NatsConnectionSettings | undefined {
  const text = env[NATS_SETTINGS_ENV];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const servers = (value as { servers?: unknown } | undefined)?.servers;
  if (!Array.isArray(servers) || !servers.every((s) => typeof s === 'string'))
    throw new TransportError('ERR_NATS_SETTINGS', `${NATS_SETTINGS_ENV} holds no server URLs`);
  return value as NatsConnectionSettings;
}

/**
 * The settings as the environment variables every `vc` command reads (cli/nats-options.ts):
 * NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_NKEY, NATS_CA, NATS_CERT,
 * NATS_KEY and VC_NAMESPACE, for the `vc` processes a scenario run starts.
 */
export function settingsToEnv(settings: NatsConnectionSettings): Record<string, string> {
  const env: Record<string, string | undefined> = {
    NATS_URL: settings.servers.join(','),
    NATS_USER: settings.auth?.user,
    NATS_PASSWORD: settings.auth?.password,
    NATS_TOKEN: settings.auth?.token,
    NATS_CREDS: settings.auth?.credsFile,
    NATS_NKEY: settings.auth?.nkeyFile,
    NATS_CA: settings.tls?.caFile,
    NATS_CERT: settings.tls?.certFile,
    NATS_KEY: settings.tls?.keyFile,
    VC_NAMESPACE: settings.namespace,
  };
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

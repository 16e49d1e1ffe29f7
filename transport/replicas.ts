// `--replicas N` for the journal stream and every KV bucket: JetStream refuses more copies than the
// cluster has servers (or any copy beyond one on a server that is not clustered) with its own API
// error; that refusal becomes ERR_NATS_REPLICAS naming the count, the stream and what the server
// offers, so an operator knows which number to change.
import type { NatsConnection } from '@nats-io/transport-node';
import { TransportError } from './errors.js';

/** JetStream API error codes (nats-server's errors.json) that mean "not that many replicas". */
const REPLICA_ERRORS = new Set([
  10074, // replicas > 1 not supported in non-clustered mode
  10023, // insufficient resources
  10005, // no suitable peers for placement
]);

function apiCode(error: unknown): number | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && REPLICA_ERRORS.has(code)) return code;
    if (/replicas > 1 not supported|insufficient resources|no suitable peers/i.test(e.message))
      return 10074;
  }
  return undefined;
}

/**
 * ERR_NATS_REPLICAS when `error` is JetStream refusing `replicas` copies of `stream`; undefined
 * for any other error. The servers a client knows of (the cluster's advertised URLs) are named.
 */
export function replicasError(
  error: unknown,
  nc: NatsConnection,
  stream: string,
  replicas: number,
): TransportError | undefined {
  if (replicas <= 1 || apiCode(error) === undefined) return undefined;
  const info = nc.info;
  const clustered = info?.cluster !== undefined;
  const known = clustered ? (info?.connect_urls?.length ?? 1) : 1;
  const offer = clustered
    ? `the JetStream cluster ${info?.cluster} offers ${known} server${known === 1 ? '' : 's'}`
    : `the NATS server at ${nc.getServer()} is not part of a cluster (1 server)`;
  return new TransportError(
    'ERR_NATS_REPLICAS',
    `--replicas ${replicas} for ${stream}, but ${offer}: use --replicas ${Math.min(known, replicas - 1) || 1} or fewer`,
    { details: { stream, replicas, clustered, servers: known }, cause: error },
  );
}

// A private 3-node nats-server cluster with JetStream: distinct server names, routes on free ports,
// a monitoring port per node; ready when every node has routes to the others and a JetStream meta
// leader is elected.
//
//   const cluster = await startNatsCluster();
//   cluster.urls            // one client URL per node
//   await cluster.nodes[0].kill();  await cluster.nodes[0].restart();
//   await cluster.stop();
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, LocalNatsServer, privateTempDir, type NatsServer } from '../transport/index.js';

export interface NatsCluster {
  readonly nodes: readonly NatsServer[];
  readonly urls: readonly string[];
  /** Monitoring base URLs (`http://127.0.0.1:<port>`), one per node. */
  readonly monitorUrls: readonly string[];
  /** Resolves when all routes are up and a JetStream meta leader exists. */
  waitReady(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const folder = privateTempDir('vc-nats-cluster-');
  const dir = folder.path;
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      client: await freePort(),
      route: await freePort(),
      monitor: await freePort(),
    })),
  );
  const nodes = ports.map((p, i) => {
    const nodeDir = join(dir, `n${i + 1}`);
    const routes = ports
      .filter((_, j) => j !== i)
      .map((q) => `"nats-route://127.0.0.1:${q.route}"`);
    const config = [
      `server_name: "n${i + 1}"`,
      `listen: "127.0.0.1:${p.client}"`,
      `http: "127.0.0.1:${p.monitor}"`,
      `jetstream { store_dir: ${JSON.stringify(join(nodeDir, 'js'))} }`,
      `cluster { name: "vc", listen: "127.0.0.1:${p.route}", routes: [${routes.join(', ')}] }`,
    ].join('\n');
    mkdirSync(nodeDir, { recursive: true });
    const configFile = join(nodeDir, 'server.conf');
    writeFileSync(configFile, config);
    return new LocalNatsServer(nodeDir, p.client, configFile);
  });
  const servers = nodes;
  await Promise.all(servers.map((s) => s.start()));
  const monitorUrls = ports.map((p) => `http://127.0.0.1:${p.monitor}`);
  const cluster: NatsCluster = {
    nodes: servers,
    urls: servers.map((s) => s.url),
    monitorUrls,
    waitReady: (timeoutMs = 30_000) => waitClusterReady(monitorUrls, size, timeoutMs),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
      folder.remove();
    },
  };
  try {
    await cluster.waitReady();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

async function waitClusterReady(
  monitorUrls: readonly string[],
  size: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isReady(monitorUrls, size)) return;
    await sleep(100);
  }
  throw new Error('nats cluster not ready: routes or JetStream meta leader missing');
}

async function isReady(monitorUrls: readonly string[], size: number): Promise<boolean> {
  try {
    for (const base of monitorUrls) {
      const routez = (await (await fetch(`${base}/routez`)).json()) as { num_routes?: number };
      if ((routez.num_routes ?? 0) < size - 1) return false;
      const jsz = (await (await fetch(`${base}/jsz`)).json()) as {
        meta_cluster?: { leader?: string };
      };
      if (!jsz.meta_cluster?.leader) return false;
    }
    return true;
  } catch {
    return false;
  }
}

// A private nats-server: `vc scenario run --processes` without `--nats` runs on one, and tests and
// benchmarks start their own. JetStream on, a temporary store directory, a free port, readiness by
// the server's ports file plus a connect probe, and stop by pid (never by name).
//
//   const server = await startNatsServer();
//   ... connect to server.url ...
//   await server.restart();   // same port and store, e.g. to test reconnection
//   await server.reload(text); // new extra configuration (users, permissions), applied live
//   await server.stop();      // stops it and removes the temporary directory
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { privateTempDir } from './private-dir.js';

export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** pid of the current process (changes on restart). */
  readonly pid: number;
  /** The temporary directory holding the config, the JetStream store and the log. */
  readonly dir: string;
  /** Graceful stop (SIGTERM, then SIGKILL after 5 s), then removes the directory. */
  stop(): Promise<void>;
  /** Kills the process abruptly (SIGKILL) and keeps the directory, for crash tests. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same store; kills the running one first. */
  restart(): Promise<void>;
  /**
   * Replaces the extra configuration (NatsServerOptions.config) and has the running server reload
   * it (SIGHUP to our own child): new users and permissions apply to open connections too.
   */
  reload(config: string): Promise<void>;
}

export interface NatsServerOptions {
  /** JetStream on (default true). */
  readonly jetstream?: boolean;
  /** Extra configuration text appended to the generated config file. */
  readonly config?: string;
  /** A fixed client port (default: a free one). */
  readonly port?: number;
}

export const natsServerBinary = process.env['NATS_SERVER_BIN'] ?? 'nats-server';

// Servers still running when this process exits (a failed run, a timed-out test) die with it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A TCP port free at the time of asking. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const folder = privateTempDir('vc-nats-');
  const dir = folder.path;
  const port = options.port ?? (await freePort());
  const configFile = join(dir, 'server.conf');
  const jetstream =
    options.jetstream === false
      ? ''
      : `jetstream { store_dir: ${JSON.stringify(join(dir, 'js'))} }`;
  const write = (config: string): void =>
    writeFileSync(configFile, [`listen: "127.0.0.1:${port}"`, jetstream, config].join('\n'));
  write(options.config ?? '');
  return new LocalNatsServer(dir, port, configFile, folder.remove, write).start();
}

/** One nats-server process on a fixed config; shared by the single-server and cluster helpers. */
export class LocalNatsServer implements NatsServer {
  readonly url: string;
  readonly dir: string;
  readonly port: number;
  readonly #configFile: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  readonly #removeDir: () => void;
  readonly #writeConfig: ((config: string) => void) | undefined;

  constructor(
    dir: string,
    port: number,
    configFile: string,
    removeDir = () => rmSync(dir, { recursive: true, force: true }),
    writeConfig?: (config: string) => void,
  ) {
    this.#removeDir = removeDir;
    this.#writeConfig = writeConfig;
    this.dir = dir;
    this.port = port;
    this.#configFile = configFile;
    this.url = `nats://127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.#child?.pid ?? -1;
  }

  async start(): Promise<this> {
    const portsDir = join(this.dir, 'ports');
    rmSync(portsDir, { recursive: true, force: true });
    mkdirSync(portsDir, { recursive: true });
    const args = [
      '-c',
      this.#configFile,
      '--ports_file_dir',
      portsDir,
      '-l',
      join(this.dir, 'server.log'),
    ];
    const child = spawn(natsServerBinary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.#child = child;
    running.add(child);
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        running.delete(child);
        resolve();
      }),
    );
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', resolve);
    });
    if (spawned) throw new Error(`cannot start ${natsServerBinary}: ${spawned.message}`);
    try {
      await this.#waitReady(portsDir, () => stderr);
    } catch (error) {
      await this.kill();
      throw error;
    }
    return this;
  }

  async #waitReady(portsDir: string, stderr: () => string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.#child?.exitCode !== null) {
        throw new Error(`nats-server exited early: ${stderr()}${this.#log()}`);
      }
      if (
        existsSync(portsDir) &&
        readdirSync(portsDir).some((f) => f.endsWith('.ports')) &&
        (await probe(this.port))
      ) {
        return;
      }
      await sleep(25);
    }
    throw new Error(`nats-server not ready on port ${this.port}: ${this.#log()}`);
  }

  #log(): string {
    const file = join(this.dir, 'server.log');
    return existsSync(file) ? readFileSync(file, 'utf8').slice(-2000) : '';
  }

  async #signal(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal); // by our own child's pid
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  async reload(config: string): Promise<void> {
    const child = this.#child;
    if (!this.#writeConfig || !child || child.exitCode !== null)
      throw new Error('reload needs a running server started by startNatsServer');
    const file = join(this.dir, 'server.log');
    const reloads = () =>
      existsSync(file)
        ? (readFileSync(file, 'utf8').match(/Reloaded server configuration/g) ?? []).length
        : 0;
    const before = reloads();
    this.#writeConfig(config);
    child.kill('SIGHUP'); // our own child, by its pid
    const deadline = Date.now() + 10_000;
    while (reloads() === before) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`nats-server did not reload its configuration: ${this.#log()}`);
      await sleep(25);
    }
  }

  async kill(): Promise<void> {
    await this.#signal('SIGKILL', 0);
  }

  async restart(): Promise<void> {
    await this.#signal('SIGTERM', 5_000);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.#signal('SIGTERM', 5_000);
    this.#removeDir();
  }
}

/** True when a TCP connection succeeds and the server greets with INFO. */
async function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (d) => done(d.toString().startsWith('INFO')));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

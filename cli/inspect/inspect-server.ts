// The HTTP side of `vc inspect` (node:http, no framework): the timeline page in live mode, its
// Server-Sent Events, and a JSON list of the runs seen. It knows nothing of NATS: whoever feeds the
// RunDecoder calls `changed(event)`, and the server reads the runs back from `runs()`.
//   GET /        the timeline page (every run known so far), listening to /events
//   GET /events  SSE: on connect every run known so far, then `{"type":"run","run":<PageRun>}` each
//                time a run changes, at most once per `throttleMs` per run
//   GET /runs    JSON: [{computation, run, number, lanes, events, messages, finished}]
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError, VcError } from '../../protocol/index.js';
import type { RunEvent, RunJournal } from '../../actors/index.js';

/** The page side (cli/page/): the live page and the JSON a run becomes on it. */
export interface LivePage {
  render(runs: readonly RunJournal[], eventsUrl: string): string;
  toPageRun(run: RunJournal): unknown;
}

export interface InspectServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly runs: () => readonly RunJournal[];
  readonly page: LivePage;
  /** Least time between two updates of one run sent to the browsers (default 200 ms). */
  readonly throttleMs?: number;
}

interface RunSummary {
  readonly computation: string;
  readonly run: string;
  readonly number: number;
  readonly lanes: readonly string[];
  readonly events: number;
  readonly messages: number;
  readonly finished: boolean;
}

const FINAL_ENCLAVE_STATES = new Set(['shutDown', 'failed']);

/** The run ended: its host said computation.ended, or its enclave reached a final state. */
function finished(run: RunJournal): boolean {
  return run.events.some(
    (e) =>
      (e.type === 'message' && e.kind === 'computation.ended') ||
      (e.type === 'transition' && e.machine === 'enclave' && FINAL_ENCLAVE_STATES.has(e.state)),
  );
}

function summaryOf(run: RunJournal): RunSummary {
  return {
    computation: run.computation,
    run: run.run,
    number: run.number,
    lanes: run.lanes.map((l) => l.name),
    events: run.events.length,
    messages: run.messages.length,
    finished: finished(run),
  };
}

const keyOf = (computation: string, run: string): string => `${computation}/${run}`;

export class InspectServer {
  readonly url: string;
  readonly #options: InspectServerOptions;
  readonly #server: ReturnType<typeof createServer>;
  readonly #clients = new Set<ServerResponse>();
  /** Per run: when it was last sent, and the timer of an update waiting to go. */
  readonly #sent = new Map<string, number>();
  readonly #waiting = new Map<string, NodeJS.Timeout>();

  constructor(options: InspectServerOptions, server: ReturnType<typeof createServer>, url: string) {
    this.#options = options;
    this.#server = server;
    this.url = url;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#serve(req, res));
  }

  /** A run changed (the decoder made `event`): its browsers hear of it, throttled. */
  changed(event: RunEvent): void {
    const key = keyOf(event.computation, event.run);
    if (this.#waiting.has(key)) return;
    const throttle = this.#options.throttleMs ?? 200;
    // A monotonic clock: a wall clock set back would hold a run's next update for as long.
    const wait = Math.max(0, (this.#sent.get(key) ?? -Infinity) + throttle - performance.now());
    const send = (): void => {
      this.#waiting.delete(key);
      this.#sent.set(key, performance.now());
      const run = this.#options
        .runs()
        .find((r) => r.computation === event.computation && r.run === event.run);
      if (run) this.#broadcast(run);
    };
    if (wait === 0) send();
    else this.#waiting.set(key, setTimeout(send, wait));
  }

  /** Sends what is waiting, closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const timer of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
    for (const client of this.#clients) client.end();
    this.#clients.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #message(run: RunJournal): string {
    return `data: ${JSON.stringify({ type: 'run', run: this.#options.page.toPageRun(run) })}\n\n`;
  }

  #broadcast(run: RunJournal): void {
    if (this.#clients.size === 0) return;
    const message = this.#message(run);
    for (const client of this.#clients) client.write(message);
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://inspect').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      switch (path) {
        case '/':
          this.#send(
            res,
            'text/html; charset=utf-8',
            this.#options.page.render(this.#runs(), '/events'),
          );
          return;
        case '/runs':
          this.#send(res, 'application/json', JSON.stringify(this.#runs().map(summaryOf)));
          return;
        case '/events':
          this.#events(req, res);
          return;
        default:
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`);
    }
  }

  #runs(): RunJournal[] {
    return [...this.#options.runs()];
  }

  #send(res: ServerResponse, type: string, body: string): void {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  }

  #events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Browsers reconnect on their own after an error; tell them how soon.
    res.write('retry: 1000\n\n');
    for (const run of this.#runs()) res.write(this.#message(run));
    this.#clients.add(res);
    req.on('close', () => this.#clients.delete(res));
  }
}

/** True when an address is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Listens on host:port; ERR_PORT_IN_USE when the port is taken. */
export async function startInspectServer(options: InspectServerOptions): Promise<InspectServer> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new VcError(
            'ERR_PORT_IN_USE',
            `port ${options.port} on ${options.host} is taken; choose another with --port (0: any free port)`,
            { details: { host: options.host, port: options.port } },
          ),
        );
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(new UsageError(`--listen ${options.host}: no such address on this machine`));
      else reject(error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return new InspectServer(options, server, `http://${host}:${address.port}/`);
}

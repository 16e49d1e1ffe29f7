// `vc inspect`: the timeline page served live. Reads what the journal stream already holds, then
// follows every journaled subject on NATS, and serves the page on 127.0.0.1 (any other address only
// with --listen), updated through Server-Sent Events while the protocol runs (docs/observability.md).
import { UsageError } from '../../protocol/index.js';
import { NatsTransport, shownServers } from '../../transport/index.js';
import { RunDecoder, watchLive } from '../../actors/index.js';
import { jetStreamHistory } from '../inspect/journal-history.js';
import { isLoopback, startInspectServer, type InspectServer } from '../inspect/inspect-server.js';
import { livePage } from '../inspect/live-page.js';
import { NATS_OPTIONS, NATS_USAGE, natsSettingsFrom } from '../nats-options.js';
import { untilSignal } from '../signals.js';
import { parseOptions, type Command } from '../command.js';

const DEFAULT_PORT = 4300;

const usage = `Usage: vc inspect [NATS OPTIONS] [--port P] [--listen ADDR] [--stream NAME] [--no-history]
                  [--json]

Serves the timeline page of every computation seen on NATS, live, until interrupted: a sequence
diagram per run, its machines' states, each message's decoded body on click. The page lists the
computations and runs it has seen and follows the running ones through Server-Sent Events.
  --port P        HTTP port (default ${DEFAULT_PORT}; 0: any free port)
  --listen ADDR   address to listen on (default 127.0.0.1: this machine only). Any other address
                  shows every message's public content to whoever reaches it
  --stream NAME   the JetStream journal read first (default the namespace's, VC_JOURNAL)
  --no-history    only what happens from now on (do not read the journal stream)
  --json          one line {"url":...} once listening
Also: GET /runs lists the runs seen as JSON, GET /events is the SSE stream.
${NATS_USAGE}`;

function portOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(`--port expects a number from 0 to 65535, got "${value}"`);
  return port;
}

export const command: Command = {
  name: 'inspect',
  usage,
  async run(argv, io) {
    const { values } = parseOptions({
      args: argv,
      options: {
        ...NATS_OPTIONS,
        port: { type: 'string' },
        listen: { type: 'string' },
        stream: { type: 'string' },
        'no-history': { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    const port = portOf(values.port);
    const host = values.listen ?? '127.0.0.1';
    const settings = natsSettingsFrom(values);
    const nats = shownServers(settings.servers);
    const bus = await NatsTransport.connect({ ...settings, name: 'vc-inspect' });
    let server: InspectServer | undefined;
    try {
      const decoder = new RunDecoder();
      server = await startInspectServer({ host, port, runs: () => decoder.runs(), page: livePage });
      const listening = server;
      const feed = await watchLive(bus, {
        decoder,
        onEvent: (e) => listening.changed(e),
        // A record the decoder failed on (a bug) is said, and the page goes on with the next.
        onError: (error) => io.err(`vc inspect: ${error.code}: ${error.message}`),
        ...(values['no-history']
          ? {}
          : { history: jetStreamHistory(bus, values.stream ?? bus.subjects.journalStream) }),
      });
      if (!isLoopback(host))
        io.err(
          `WARNING: vc inspect listens on ${host}, not only on this machine: anyone who reaches ` +
            `${server.url} sees every computation's messages and states`,
        );
      if (values.json) io.out(JSON.stringify({ url: server.url, nats, history: feed.history }));
      else
        io.out(
          `vc inspect: ${server.url} (NATS ${nats}; ${feed.history} journal records read` +
            `${feed.historyNote ? `: ${feed.historyNote}` : ''}); Ctrl-C stops`,
        );
      await untilSignal();
      feed.stop();
      return 0;
    } finally {
      await server?.close();
      await bus.close().catch(() => undefined);
    }
  },
};

// Two deployments on one nats-server, each in its own namespace (`--namespace`), run the flagship
// scenario at the same time without interfering: each completes, each journal stream holds only
// its own namespace's subjects and computation, and neither touches the default namespace's
// stream (one namespace's enclave workers are processes of their own, handed the namespace by
// their host). A third namespace with no host sees no host, although two serve on the same server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAGSHIP, findScenario } from './catalog.js';
import { prepareRun } from './prepare.js';
import { runScenario } from './run-scenario.js';
import type { Environment } from './run/environment.js';
import { natsEnvironment } from './run/nats.js';
import {
  JetStreamJournalReader,
  NatsTransport,
  privateTempDir,
  startNatsServer,
  type JournalRecord,
  type NatsServer,
} from '../transport/index.js';
import { isVcError, subjectsFor } from '../protocol/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { shutdownWorkers } from '../enclave/index.js';

const NAMESPACES = ['alpha', 'beta'] as const;

async function journalOf(bus: NatsTransport, stream: string): Promise<JournalRecord[]> {
  const records: JournalRecord[] = [];
  for await (const r of new JetStreamJournalReader(bus.connection, stream).records())
    records.push(r);
  return records;
}

describe('namespaces on one server', () => {
  let server: NatsServer | undefined;
  const envs = new Map<string, Environment>();
  const folder = privateTempDir('vc-namespaces-');

  before(async () => {
    if (!hasBinary('nats-server')) return;
    server = await startNatsServer();
    for (const namespace of NAMESPACES)
      envs.set(
        namespace,
        await natsEnvironment({
          url: server.url,
          settings: { namespace },
          // alpha's enclave workers are processes: the namespace reaches them too
          ...(namespace === 'alpha' ? { workers: 'process' as const } : {}),
          jetstreamReplicas: 1,
          journalFile: `${folder.path}/${namespace}.vcj`,
        }),
      );
  });
  after(async () => {
    for (const env of envs.values()) await env.stop();
    await shutdownWorkers();
    await server?.stop();
    folder.remove();
  });

  test(`two namespaces run ${FLAGSHIP} at the same time without interference`, async (t) => {
    if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
    const scenario = findScenario(FLAGSHIP)!;
    const runs = await Promise.all(
      NAMESPACES.map(async (namespace) => {
        const env = envs.get(namespace)!;
        return { namespace, env, run: await prepareRun(scenario, env.trust, { seed: 3 }) };
      }),
    );
    const reports = await Promise.all(runs.map(({ env, run }) => runScenario(run, env)));
    for (const [i, report] of reports.entries()) {
      assert.equal(report.failure, undefined, JSON.stringify(report.failure));
      assert.equal(report.ok, true, report.verdict.details.join('\n'));
      assert.equal(report.namespace, NAMESPACES[i]);
      assert.ok(report.messages > 10, "the runner saw its own namespace's messages");
    }

    const reader = await NatsTransport.connect({ servers: server!.url });
    try {
      for (const [i, { namespace, run }] of runs.entries()) {
        const subjects = subjectsFor(namespace);
        const records = await journalOf(reader, subjects.journalStream);
        assert.ok(records.length > 10, `${subjects.journalStream} journaled the run`);
        for (const r of records)
          assert.ok(
            r.subject.startsWith(`${namespace}.`),
            `${r.subject} in ${namespace}'s journal`,
          );
        const computations = new Set(records.map((r) => r.header?.computation).filter(Boolean));
        assert.deepEqual([...computations], [run.computation], `only ${namespace}'s computation`);
        assert.ok(
          records.some((r) => r.subject === subjects.hostsLaunch),
          `${namespace}'s launch went to ${namespace}'s hosts`,
        );
        const other = runs[1 - i]!;
        assert.notEqual(other.run.computation, run.computation);
      }
      // the default namespace's stream was never made: nothing was sent there
      await assert.rejects(journalOf(reader, subjectsFor().journalStream));
    } finally {
      await reader.close();
    }
  });

  test('a namespace without hosts sees none, though others serve on the same server', async (t) => {
    if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
    for (const namespace of [...NAMESPACES, 'gamma']) {
      const bus = await NatsTransport.connect({ servers: server!.url, namespace });
      try {
        const ping = bus.request(bus.subjects.hostsLive, new Uint8Array(), { timeoutMs: 2_000 });
        if (namespace === 'gamma')
          await assert.rejects(ping, (e: unknown) => isVcError(e, 'ERR_NO_RESPONDERS'));
        else await ping;
      } finally {
        await bus.close();
      }
    }
  });
});

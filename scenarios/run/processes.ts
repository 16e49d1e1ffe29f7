// Every actor its own OS process over NATS, running the deployment commands (deploy/commands.ts,
// the same ones docker-compose.yml runs): `vc scenario prepare`, `vc verifier`, two `vc host` (each
// launching enclave worker processes), `vc launch`, and one `vc client` per party and round. This
// process only watches the traces, records the journal and checks the result files. The bus is
// checked before anything is spawned (a URL that is not NATS, or NATS without JetStream, is its
// code within seconds), and a service that exits instead of serving ends the run with its refusal.
import { readFileSync } from 'node:fs';
import { VcError } from '../../protocol/index.js';
import {
  ensureJournalStream,
  privateTempDir,
  settingsToEnv,
  startNatsServer,
  type NatsServer,
  NatsTransport,
} from '../../transport/index.js';
import { deploymentCommands, type ServiceCommand } from '../deploy/commands.js';
import { layoutOf } from '../deploy/layout.js';
import { loadPreparedRun } from '../deploy/prepare-dir.js';
import { ScenarioError } from '../errors.js';
import { writeJournalFile, type JournalLine } from '../journal-file.js';
import type { Trust } from '../prepare.js';
import { refusalOf, spawnVc, type VcChild } from './child.js';
import type { Environment, EnvironmentChoice, TurnOutcome } from './environment.js';

const SERVE_TIMEOUT_MS = 60_000;

export async function processesEnvironment(choice: EnvironmentChoice): Promise<Environment> {
  const server: NatsServer | undefined = choice.nats ? undefined : await startNatsServer();
  const url = choice.nats?.servers.join(',') ?? server!.url;
  // Every `vc` process gets the connection settings (credentials, TLS, namespace) in its
  // environment, as an operator's shell would hold them; the commands' own flags name the URL.
  const childEnv = choice.nats ? settingsToEnv(choice.nats) : {};
  let bus: NatsTransport;
  try {
    // ERR_NATS_UNREACHABLE / ERR_NOT_NATS / ERR_NO_JETSTREAM here, before any service is spawned
    // (the services need the journal stream and would each fail on their own).
    bus = await NatsTransport.connect({
      ...(choice.nats ?? { servers: [url] }),
      name: 'vc-scenario-watch',
    });
    await ensureJournalStream(bus.connection, { subjects: bus.subjects }).catch(
      async (error: unknown) => {
        await bus.close().catch(() => undefined);
        throw error;
      },
    );
  } catch (error) {
    await server?.stop();
    throw error;
  }
  const ownDir = choice.workDir === undefined ? privateTempDir('vc-processes-') : undefined;
  const dir = choice.workDir ?? ownDir!.path;
  const layout = layoutOf(dir);
  const log = choice.log;
  const journal: JournalLine[] = [];
  const recorders = bus.subjects.journal.map((pattern) =>
    bus.subscribe(pattern, (msg) => {
      journal.push({ subject: msg.subject, data: msg.data, time: Date.now() });
    }),
  );
  await bus.flush();
  const serving: VcChild[] = [];
  let commands: ServiceCommand[] = [];
  let trust: Trust = { caCertificatePem: '', measurements: [] };

  const find = (name: string): ServiceCommand => {
    const found = commands.find((c) => c.name === name);
    if (!found) throw new ScenarioError('ERR_SCENARIO_PROCESS', `no deployment command ${name}`);
    return found;
  };
  const runToEnd = async (command: ServiceCommand): Promise<VcChild> => {
    const child = spawnVc(command.name, command.args, { env: { ...childEnv, ...command.env } });
    await child.exited;
    return child;
  };
  const mustSucceed = async (command: ServiceCommand): Promise<VcChild> => {
    const child = await runToEnd(command);
    if ((await child.exited) !== 0) {
      const refusal = refusalOf(child);
      throw new ScenarioError(
        'ERR_SCENARIO_PROCESS',
        `${command.name} failed: ${refusal ? `${refusal.code} ${refusal.message}` : child.stderr.slice(-3).join(' | ')}`,
        {
          details: {
            command: ['vc', ...command.args].join(' '),
            ...(refusal ? { code: refusal.code } : {}),
          },
        },
      );
    }
    return child;
  };

  return {
    mode: 'processes',
    get trust() {
      return trust;
    },
    bus,
    prepare: async (scenario, seed) => {
      commands = deploymentCommands({ scenario, layout, nats: url, hosts: 2, seed });
      await mustSucceed(find('setup'));
      const run = await loadPreparedRun(scenario, layout);
      trust = {
        caCertificatePem: readFileSync(layout.caCertificate, 'utf8'),
        measurements: run.policy.policy.extensions.runtimeHashes?.['sim'] ?? [],
      };
      for (const command of commands.filter((c) => c.serves)) {
        const child = spawnVc(command.name, command.args, {
          env: { ...childEnv, ...command.env },
          ...(log ? { log: (line: string) => log(`    ${line}`) } : {}),
        });
        serving.push(child);
        await child.firstLine(SERVE_TIMEOUT_MS).catch(async (error: unknown) => {
          // a service that exited (or never spoke) ends the run with its own refusal
          await child.stop();
          const refusal = refusalOf(child);
          if (refusal)
            throw VcError.fromWire({
              ...refusal,
              message: `${command.name}: ${refusal.message}`,
            });
          throw new ScenarioError('ERR_SCENARIO_PROCESS', (error as Error).message, {
            details: { command: ['vc', ...command.args].join(' ') },
          });
        });
      }
      return run;
    },
    launch: async () => {
      const child = await mustSucceed(find('launch'));
      const note = child.stderr.find((l) => / by ([^/\s]+)\/(\S+);/.test(l));
      const match = note ? / by ([^/\s]+)\/(\S+);/.exec(note) : null;
      return { host: match?.[1] ?? 'a host', worker: match?.[2] ?? 'a worker process' };
    },
    runTurn: async (_run, turn, round): Promise<TurnOutcome> => {
      const child = await runToEnd(find(`${turn.party}-r${round}`));
      const code = await child.exited;
      const results = new Map<string, Uint8Array>();
      if (code === 0)
        for (const step of turn.steps)
          if (step.op === 'result')
            results.set(
              step.destination,
              new Uint8Array(readFileSync(layout.result(turn.party, step.destination))),
            );
      const refusal = refusalOf(child);
      return {
        party: turn.party,
        ok: code === 0,
        state: code === 0 ? 'done' : 'failed',
        ...(code === 0
          ? {}
          : {
              failure: refusal ?? {
                code: 'ERR_SCENARIO_PROCESS',
                message: child.stderr.slice(-3).join(' | '),
              },
            }),
        results,
      };
    },
    // An operator's `vc computations stop` (an already ended computation is left as it is).
    end: async (run) => {
      await spawnVc('stop', ['computations', 'stop', run.computation, '--nats', url], {
        env: childEnv,
      }).exited;
    },
    journal: async (run) => {
      if (!choice.journalFile) return undefined;
      await bus.flush();
      writeJournalFile(choice.journalFile, journal);
      return {
        location: choice.journalFile,
        replayCommand: `npx vc replay ${choice.journalFile} --computation ${run.computation}`,
      };
    },
    stop: async () => {
      for (const recorder of recorders) recorder.unsubscribe();
      await Promise.all(serving.map((child) => child.stop()));
      await bus.close().catch(() => undefined);
      await server?.stop();
      ownDir?.remove();
    },
  };
}

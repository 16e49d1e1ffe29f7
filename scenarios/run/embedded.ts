// The embedded environment: the system (actors/system/system.ts) on the in-memory bus: verifier, host and
// enclave workers in this process; participants run in this process too. When a journal file is
// asked for, every journaled message is appended to it as it is published (one hash-chained record
// per write), so a run interrupted or killed midway leaves a valid journal of everything so far;
// several runs on one environment append to the one file (each launch is a run of its own).
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { startSystem, memoryBus } from '../../actors/index.js';
import { FileJournal } from '../../transport/index.js';
import type { Environment } from './environment.js';
import { endComputation, runTurnInProcess } from './in-process-turn.js';

export interface EmbeddedEnvironmentOptions {
  /** Where to write the journal (default: none); a file that exists already is replaced. */
  readonly journalFile?: string;
  readonly hosts?: number;
}

function openJournalFile(file: string): FileJournal {
  mkdirSync(dirname(file), { recursive: true });
  rmSync(file, { force: true });
  return FileJournal.open(file);
}

export async function embeddedEnvironment(
  options: EmbeddedEnvironmentOptions = {},
): Promise<Environment> {
  const file = options.journalFile;
  const journal = file === undefined ? undefined : openJournalFile(file);
  const append = journal?.tap();
  let closed = false;
  const closeJournal = () => {
    closed = true;
    journal?.close();
  };
  let system;
  try {
    system = await startSystem({
      bus: memoryBus(
        append ? { tap: (subject, data) => closed || append(subject, data, undefined) } : {},
      ),
      hosts: options.hosts ?? 1,
    });
  } catch (error) {
    closeJournal();
    throw error;
  }
  const started = system;
  return {
    mode: 'embedded',
    trust: { caCertificatePem: started.ca.certificatePem, measurements: [started.measurement] },
    bus: started.bus,
    launch: async (run) => {
      const launched = await started.launch(run.policy);
      return { host: launched.host, worker: launched.worker };
    },
    runTurn: (run, turn) => runTurnInProcess(started.bus, run, turn),
    end: (run) => endComputation(started, run.computation),
    journal: (run) =>
      Promise.resolve(
        file === undefined
          ? undefined
          : {
              location: file,
              replayCommand: `npx vc replay ${file} --computation ${run.computation}`,
            },
      ),
    stop: async () => {
      try {
        await started.stop();
      } finally {
        closeJournal();
      }
    },
  };
}

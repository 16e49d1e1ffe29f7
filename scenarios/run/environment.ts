// Where a scenario runs. Three environments implement this: embedded (one process, in-memory bus),
// nats (actors in this process, talking over a NATS server) and processes (every actor its own OS
// process over NATS, participants as `vc client`). The scenario runner only sees this interface.
import type { NatsConnectionSettings, Transport } from '../../transport/index.js';
import type { WireError } from '../../protocol/index.js';
import type { PreparedRun, Trust } from '../prepare.js';
import type { Scenario, Turn } from '../scenario.js';

export type ModeName = 'embedded' | 'nats' | 'processes';

/** What a run asked for (`vc scenario run` options); scenarios/run/open.ts picks the environment. */
export interface EnvironmentChoice {
  /** Over NATS: where and how to connect (URLs, credentials, TLS, namespace). */
  readonly nats?: NatsConnectionSettings;
  /** Over NATS: journal into the JetStream stream with this many replicas. */
  readonly replicas?: number;
  readonly processes?: boolean;
  readonly journalFile?: string;
  /** Working directory for --processes (files, logs). */
  readonly workDir?: string;
  readonly log?: (line: string) => void;
}

export interface LaunchInfo {
  readonly host: string;
  readonly worker: string;
}

export interface TurnOutcome {
  readonly party: string;
  readonly ok: boolean;
  /** The participant machine's final state (`done`, `refused`, `failed`). */
  readonly state: string;
  readonly failure?: WireError;
  /** Destination label -> bytes read. */
  readonly results: ReadonlyMap<string, Uint8Array>;
}

export interface JournalInfo {
  /** Where the journal is (a file, or a JetStream stream on a server). */
  readonly location: string;
  /** The command that replays it. */
  readonly replayCommand: string;
}

export interface Environment {
  readonly mode: ModeName;
  /** What policies must name: the verifier CA and accepted measurements. */
  readonly trust: Trust;
  /**
   * Prepares the run itself (--processes: `vc scenario prepare` in its own process); otherwise the
   * caller prepares it in memory with `prepareRun(scenario, trust)`.
   */
  prepare?(scenario: Scenario, seed: number): Promise<PreparedRun>;
  /** A bus to watch traces on. */
  readonly bus: Transport;
  /** Starts an attested enclave for the run's policy (`vc launch`). */
  launch(run: PreparedRun): Promise<LaunchInfo>;
  /** One party's turn: connects, checks the enclave (phase 6), performs its steps. */
  runTurn(run: PreparedRun, turn: Turn, round: number): Promise<TurnOutcome>;
  /**
   * Ends the run's computation if it is still live (`vc computations stop`): a run that stopped
   * early (a refused participant) leaves no enclave worker behind. A computation already ended is
   * left as it is.
   */
  end(run: PreparedRun): Promise<void>;
  /** Writes or locates the protocol journal of the run. */
  journal(run: PreparedRun): Promise<JournalInfo | undefined>;
  stop(): Promise<void>;
}

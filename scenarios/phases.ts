// Time per protocol phase, read from the enclave worker's trace: each recorded state lasts from its
// record's arrival to the next one's. States map onto the phases of docs/architecture.md.
import type { TransitionEvent } from '../actors/index.js';

export interface PhaseTime {
  readonly phase: string;
  readonly ms: number;
}

const PHASE_ORDER = [
  'attestation',
  'waiting for parties',
  'provisioning',
  'execution',
  'result reading',
  'shutdown',
] as const;

/** The phase (docs/architecture.md) a machine state (JSON of its value) belongs to. */
function phaseOf(state: string): string {
  if (/keying|challenging|evidencing|appraising/.test(state)) return 'attestation';
  if (state.includes('writing')) return 'provisioning';
  if (state.includes('executing')) return 'execution';
  if (state.includes('reading')) return 'result reading';
  if (/shut|stopping/i.test(state)) return 'shutdown';
  if (/failed/.test(state)) return 'failed';
  return 'waiting for parties';
}

/** Sums the time the enclave spent in each phase. */
export function enclavePhases(transitions: readonly TransitionEvent[]): PhaseTime[] {
  const enclave = transitions
    .filter((t) => t.machine === 'enclave')
    .sort((a, b) => a.index - b.index);
  const totals = new Map<string, number>();
  for (let i = 0; i + 1 < enclave.length; i++) {
    const phase = phaseOf(enclave[i]!.stateValue);
    const ms = Math.max(0, enclave[i + 1]!.time - enclave[i]!.time);
    totals.set(phase, (totals.get(phase) ?? 0) + ms);
  }
  const known: readonly string[] = PHASE_ORDER;
  const ordered = [...known, ...[...totals.keys()].filter((p) => !known.includes(p))];
  return ordered.filter((p) => totals.has(p)).map((phase) => ({ phase, ms: totals.get(phase)! }));
}

// Human output for a scenario run: a header, one line per phase change of each actor as it
// happens (the live watch's transitions), and a final summary. Pure formatting: lines go to `write`.
import type { TransitionEvent } from '../actors/index.js';
import type { PreparedRun } from './prepare.js';
import type { ScenarioEvent, ScenarioReport } from './run-scenario.js';

const PARTICIPANT_STATES: Record<string, string> = {
  connecting: 'connecting to the enclave',
  checking: 'checking the attestation: chain, validity, measurement, policy hash',
  working: 'enclave verified, sending sealed requests',
  done: 'done',
  refused: 'REFUSED the enclave: nothing was sent',
  failed: 'failed',
};

const ENCLAVE_STATES: Record<string, string> = {
  keying: 'generating its signing and HPKE keys inside the enclave',
  challenging: 'asking the verifier for a fresh challenge',
  evidencing: 'producing evidence bound to the challenge, its CSR and the policy hash',
  appraising: 'evidence under appraisal by the verifier',
  ready: 'attested: certificate issued, announcing itself',
  writing: 'storing a provisioned file (rights and file hash checked)',
  executing: 'running the program in the sandbox',
  reading: 'sealing a result to its reader',
  shutDown: 'shut down',
  failed: 'failed',
};

const REPLIES: Record<string, string> = {
  'provision.ack': 'provisioned',
  'compute.done': 'computation finished',
  'result.data': 'result read and opened',
  'shutdown.ack': 'shutdown acknowledged',
};

/** The innermost state name of a JSON state value (`{"serving":"idle"}` -> `idle`). */
function leaf(state: string): string {
  let value: unknown;
  try {
    value = JSON.parse(state);
  } catch {
    return state;
  }
  while (value && typeof value === 'object') value = Object.values(value)[0];
  return String(value);
}

export interface Narrator {
  onEvent(event: ScenarioEvent): void;
}

export function narrator(write: (line: string) => void, now: () => number): Narrator {
  const start = now();
  const last = new Map<string, string>();
  const stamp = () => `${((now() - start) / 1000).toFixed(2).padStart(6)}s`;
  const line = (actor: string, text: string) => write(`  ${stamp()}  ${actor.padEnd(16)} ${text}`);
  return {
    onEvent(event) {
      switch (event.type) {
        case 'launching':
          return write(`▸ launch: a host starts an enclave worker; the verifier attests it`);
        case 'launched':
          return write(
            `  ✓ enclave attested and ready on ${event.info.host} (worker ${event.info.worker}) in ${ms(event.ms)}`,
          );
        case 'round':
          return write(`▸ round ${event.round}/${event.of}: ${event.parties.join(', ')}`);
        case 'turn':
          if (!event.outcome.ok) {
            const f = event.outcome.failure;
            line(
              event.outcome.party,
              `✗ ${event.outcome.state}${f ? `: ${f.code} ${f.message}` : ''}`,
            );
          }
          return;
        case 'transition':
          return transition(event.transition);
      }
    },
  };

  function transition(t: TransitionEvent): void {
    const actor = t.actor;
    const name = leaf(t.stateValue);
    const type = t.event;
    const previous = last.get(actor);
    last.set(actor, name);
    if (t.machine === 'enclave') {
      if (name !== previous && name !== 'idle') line(actor, ENCLAVE_STATES[name] ?? name);
      return;
    }
    if (t.machine !== 'participant') {
      if (name !== previous && name !== 'idle') line(actor, name);
      return;
    }
    const reply = REPLIES[type];
    if (reply && name !== 'failed') line(actor, `✓ ${reply}`);
    if (name !== previous && (name !== 'working' || !reply) && name !== 'done')
      line(actor, PARTICIPANT_STATES[name] ?? name);
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

/** A measured figure: whole when large, three significant digits otherwise. */
function figure(value: number): string {
  return Math.abs(value) >= 100 || Number.isInteger(value)
    ? String(Math.round(value))
    : value.toPrecision(3);
}

export function header(run: PreparedRun, mode: string): string[] {
  const lines = [
    `Veracruz-TS · ${run.scenario.title}`,
    `  ${run.scenario.summary}`,
    `  mode: ${mode} · seed ${run.seed} · attestation platform: sim (simulated, INSECURE by design)`,
    `  policy ${run.policy.hash.slice(0, 16)}… (fresh throw-away identities, a fresh verifier CA)`,
    `  parties:`,
    ...run.plan.parties.map(
      (p) => `    ${p.name.padEnd(16)} ${p.role}  [${p.capabilities.join(' ')}]`,
    ),
    '',
  ];
  return lines;
}

export function summary(report: ScenarioReport): string[] {
  const mark = report.ok ? '✓' : '✗';
  const lines = [
    '',
    `Result   ${mark} ${report.verdict.headline}`,
    ...report.verdict.details.map((d) => `           ${d}`),
    `Time     ${ms(report.totalMs)} in all; launch and attestation ${ms(report.launchMs)}`,
  ];
  if (report.phases.length > 0)
    lines.push(
      `         enclave: ${report.phases.map((p) => `${p.phase} ${ms(p.ms)}`).join(' · ')}`,
    );
  if (report.rounds.length > 0)
    lines.push(
      `         rounds: ${report.rounds.map((r, i) => `${i + 1}: ${ms(r.ms)}`).join(' · ')}`,
    );
  lines.push(
    `Messages ${report.messages} signed messages on ${report.namespace}.c.${report.computation}.>; ${report.busBytes} bytes on the bus in all (with sealed chunks)`,
  );
  for (const [i, m] of (report.metrics ?? []).entries())
    lines.push(`${i === 0 ? 'Measured' : '        '} ${m.name}: ${figure(m.value)} ${m.unit}`);
  if (report.journal) {
    lines.push(`Journal  ${report.journal.location}`);
    lines.push(`Replay   ${report.journal.replayCommand}`);
  }
  return lines;
}

// Operator logs (issue 14, item 7): `vc host`, `vc verifier` and enclave workers write one structured
// line per request served (Endpoint.serve) and per state change of their machines (TracedActor),
// through pino, on stderr. Human-readable by default, one JSON object per line with
// `--log-format json`. Only metadata is ever logged: kinds, computation ids, shortened sender ids,
// states, event types, outcome codes and durations; never a body, sealed bytes, a key or a message
// text that could quote one.
import { pino, type Logger } from 'pino';

export type OperatorLog = Logger;

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface OperatorLogOptions {
  /** The service: `host`, `verifier`, `enclave`. */
  readonly name: string;
  readonly format?: LogFormat;
  readonly level?: LogLevel;
  /** Where lines go (default: this process's stderr). */
  readonly write?: (line: string) => void;
}

const LEVEL_LABELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** `12:00:01.234 INFO  host served host.launch computation=p01… outcome=ok ms=12` */
function prettyLine(json: string): string {
  const { time, level, name, msg, ...fields } = JSON.parse(json) as Record<string, unknown>;
  const clock = new Date(Number(time)).toISOString().slice(11, 23);
  const label = (LEVEL_LABELS[Number(level)] ?? String(level)).padEnd(5);
  const rest = Object.entries(fields).map(([key, value]) => `${key}=${String(value)}`);
  return [clock, label, String(name), String(msg), ...rest].join(' ') + '\n';
}

export function createOperatorLog(options: OperatorLogOptions): OperatorLog {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const pretty = (options.format ?? 'pretty') === 'pretty';
  return pino(
    { name: options.name, level: options.level ?? 'info', base: undefined },
    { write: (line: string) => write(pretty ? prettyLine(line) : line) },
  );
}

/** A sender id short enough for a log line and still telling senders apart (`k:AbCdEf0123…`). */
export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 13)}…` : id;
}

/** A machine state value as one word: `running`, or `provisioning.waiting` for nested states. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object')
    return Object.entries(value)
      .map(([key, inner]) => `${key}.${stateName(inner)}`)
      .join(',');
  return String(value);
}

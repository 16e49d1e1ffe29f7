// Small pieces the protocol's commands share (vc host, verifier, launch, client, replay).
import {
  createOperatorLog,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  type OperatorLog,
} from '../actors/index.js';
import { UsageError } from '../protocol/index.js';

const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export function defaultNatsUrl(): string {
  return process.env['VC_NATS_URL'] ?? DEFAULT_NATS_URL;
}

/** The services' `--log-format` and `--log-level` options (parseOptions table entries). */
export const LOG_OPTIONS = {
  'log-format': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export const LOG_USAGE = `  --log-format F   operator log on stderr: pretty (default, for a terminal) or json (one object a line)
  --log-level L    ${LOG_LEVELS.join(', ')} (default info)`;

/** The service's operator log, from --log-format and --log-level (ERR_USAGE for unknown values). */
export function operatorLogFrom(
  name: string,
  values: { 'log-format'?: string | undefined; 'log-level'?: string | undefined },
): { log: OperatorLog; format: LogFormat; level: LogLevel } {
  const format = LOG_FORMATS.find((f) => f === (values['log-format'] ?? 'pretty'));
  const level = LOG_LEVELS.find((l) => l === (values['log-level'] ?? 'info'));
  if (!format)
    throw new UsageError(
      `--log-format expects ${LOG_FORMATS.join(' or ')}, got "${values['log-format']}"`,
    );
  if (!level)
    throw new UsageError(
      `--log-level expects one of ${LOG_LEVELS.join(', ')}, got "${values['log-level']}"`,
    );
  return { log: createOperatorLog({ name, format, level }), format, level };
}

/** Splits `PATH=FILE` (the path is inside the enclave, the file on this machine). */
export function pathAndFile(spec: string, flag: string): { path: string; file: string } {
  const at = spec.indexOf('=');
  if (at <= 0 || at === spec.length - 1)
    throw new TypeError(`${flag} expects PATH=FILE, got "${spec}"`);
  return { path: spec.slice(0, at), file: spec.slice(at + 1) };
}

/** A one-line progress bar (`[#####.....]  50% /input/big.dat 50.0/100.0 MiB`). */
export function progressBar(path: string, sent: number, total: number, width = 30): string {
  const fraction = total === 0 ? 1 : sent / total;
  const filled = Math.round(fraction * width);
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${path} ${mib(sent)}/${mib(total)} MiB`;
}

// Entry point of `vc`: finds the subcommand in the table of cli/commands-table.ts and runs it.
// Subcommands are loaded lazily, so `vc policy hash` does not pay for NATS or the sandbox, and
// `vc --help` loads none of them.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { type ErrorCode, VcError, toVcError } from '../protocol/index.js';
import { processIo, type CliIo, type Command } from './command.js';
import { COMMANDS } from './commands-table.js';
import { handleSignals } from './signals.js';

/** The subcommands: one module per file in cli/commands/. */
export function commandNames(): string[] {
  return Object.keys(COMMANDS).sort();
}

export async function loadCommand(name: string): Promise<Command | undefined> {
  if (!Object.hasOwn(COMMANDS, name)) return undefined;
  return (await COMMANDS[name]!.load()).command;
}

function printHelp(io: CliIo): void {
  const lines = [
    'vc: Veracruz-TS command line',
    '',
    'Usage: vc COMMAND [OPTIONS]',
    '       vc --version',
    '',
    'Commands:',
  ];
  for (const name of commandNames()) lines.push(`  ${name.padEnd(10)} ${COMMANDS[name]!.summary}`);
  lines.push('', 'Run `vc COMMAND --help` for the options of one command.');
  io.out(lines.join('\n'));
}

/** Prints a refusal as `error ERR_CODE: message` (or JSON with --json) and maps it to an exit code. */
export function reportError(error: unknown, io: CliIo, json: boolean): number {
  const vcError = toVcError(error);
  if (json) io.out(JSON.stringify({ ok: false, error: vcError.toWire() }));
  else io.err(`error ${vcError.code}: ${vcError.message}`);
  if (vcError.code === 'ERR_INTERNAL' && process.env['VC_DEBUG'])
    io.err(String((error as Error).stack));
  return exitCodeOf(vcError.code);
}

/** The exit code of a refusal: 2 for a bad command line, 130 when interrupted, 1 otherwise. */
export function exitCodeOf(code: ErrorCode): number {
  if (code === 'ERR_INTERRUPTED') return 130; // the shell's convention for Ctrl-C
  return code === 'ERR_USAGE' ? 2 : 1;
}

/** The `version` of package.json: what `vc --version` prints. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printHelp(io);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(packageVersion());
    return 0;
  }
  const command = await loadCommand(name);
  if (!command)
    return reportError(
      new VcError('ERR_USAGE', `unknown command "${name}"; see vc --help`),
      io,
      false,
    );
  // Only options before `--` are ours: after it they belong to the guest (`vc run x.wasm -- --help`).
  const ownArgs = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (ownArgs.includes('--help') || ownArgs.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  let reported = false;
  const releaseSignals = handleSignals((signal) => {
    const interrupted = new VcError('ERR_INTERRUPTED', `${name} interrupted by ${signal}`);
    if (reported) return exitCodeOf(interrupted.code);
    reported = true;
    return reportError(interrupted, io, rest.includes('--json'));
  });
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io, rest.includes('--json'));
  } finally {
    releaseSignals();
  }
}

// What every `vc` subcommand looks like. Each lives in cli/commands/<name>.ts and exports `command`.
// Commands write through `CliIo` (never process.stdout directly) so tests can capture output.

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal: progress bars and colour only then. */
  readonly isTty: boolean;
}

export interface Command {
  readonly name: string;
  /** One line for `vc --help`. */
  readonly summary: string;
  /** Full usage text for `vc NAME --help`. */
  readonly usage: string;
  /** Returns the process exit code. Throw a VcError for refusals; main prints it. */
  run(argv: string[], io: CliIo): Promise<number>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
};

/** An io that records everything, for tests. */
export function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    isTty: false,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
  };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isErrorCode } from '../protocol/index.js';
import { commandNames, exitCodeOf, loadCommand, main } from './main.js';
import { captureIo } from './command.js';

test('vc --help lists the commands found in cli/commands', async () => {
  const io = captureIo();
  assert.equal(await main(['--help'], io), 0);
  const text = io.stdout.join('\n');
  assert.match(text, /Usage: vc COMMAND/);
  for (const name of commandNames()) assert.match(text, new RegExp(`^  ${name} +\\S`, 'm'), name);
});

test('the command table names exactly the modules of cli/commands, each exporting its command', async () => {
  const files = readdirSync(fileURLToPath(new URL('./commands/', import.meta.url)))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => file.slice(0, -3))
    .sort();
  assert.deepEqual(commandNames(), files);
  for (const name of files) assert.equal((await loadCommand(name))?.name, name);
});

test('an unknown command is refused with ERR_USAGE and exit code 2', async () => {
  const io = captureIo();
  assert.equal(await main(['no-such-command'], io), 2);
  assert.match(io.stderr.join('\n'), /^error ERR_USAGE: unknown command "no-such-command"/);
});

test('a command name that could escape cli/commands is not loaded', async () => {
  const io = captureIo();
  assert.equal(await main(['../main'], io), 2);
  assert.match(io.stderr.join('\n'), /ERR_USAGE/);
});

/** Every command line that selects a subcommand, from cli/commands/ and each command's own table. */
async function everySubcommand(): Promise<string[][]> {
  const lines: string[][] = [];
  for (const name of commandNames()) {
    const command = await loadCommand(name);
    assert.ok(command, `cli/commands/${name}.ts exports no command`);
    lines.push([name]);
    for (const sub of command.subcommands ?? []) lines.push([name, ...sub.split(' ')]);
  }
  return lines;
}

test('the subcommand list includes the nested subcommands', async () => {
  const lines = (await everySubcommand()).map((words) => words.join(' '));
  for (const expected of [
    'policy check',
    'attest verify',
    'attest endorse add',
    'identity new',
    'scenario run',
  ])
    assert.ok(lines.includes(expected), expected);
});

test('every subcommand refuses an unknown option with ERR_USAGE and exit code 2', async () => {
  for (const words of await everySubcommand()) {
    const io = captureIo();
    const exit = await main([...words, '--no-such-flag'], io);
    const line = `vc ${words.join(' ')} --no-such-flag`;
    assert.equal(exit, 2, line);
    assert.match(io.stderr[0] ?? '', /^error ERR_USAGE: /, line);
    assert.deepEqual(io.stdout, [], line);
  }
});

test('with --json the refusal of an unknown option is a JSON error with ERR_USAGE', async () => {
  for (const words of await everySubcommand()) {
    const io = captureIo();
    const exit = await main([...words, '--no-such-flag', '--json'], io);
    const line = `vc ${words.join(' ')} --no-such-flag --json`;
    assert.equal(exit, 2, line);
    const printed = JSON.parse(io.stdout.join('')) as { ok: boolean; error: { code: string } };
    assert.equal(printed.ok, false, line);
    assert.equal(printed.error.code, 'ERR_USAGE', line);
  }
});

test('a missing value, a stray or missing operand and a bad value are ERR_USAGE too', async () => {
  for (const argv of [
    ['launch', 'policy.json', '--nats'],
    ['host', 'stray'],
    ['launch'],
    ['launch', 'policy.json', '--timeout-ms', 'soon'],
    // Who launches must be said: a participant's identity or an operator key, not both.
    ['launch', 'policy.json'],
    ['launch', 'policy.json', '--identity', 'a.crt'],
    ['launch', 'policy.json', '--identity', 'a.crt', '--key', 'a.key', '--operator-key', 'op.key'],
    ['host', '--sim-key', 'sim.pem', '--max-enclaves', '0'],
    ['host', '--sim-key', 'sim.pem', '--spares', 'two'],
    ['host', '--sim-key', 'sim.pem', '--spares', '2', '--no-spare'],
    ['policy', 'hash'],
    ['attest', 'verify', 'extra'],
    ['scenario', 'no-such-subcommand'],
  ]) {
    const io = captureIo();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    assert.match(io.stderr[0] ?? '', /^error ERR_USAGE: /, argv.join(' '));
  }
});

test('vc --version and vc -V print the package version', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  for (const flag of ['--version', '-V']) {
    const io = captureIo();
    assert.equal(await main([flag], io), 0);
    assert.deepEqual(io.stdout, [version]);
  }
});

test('the vc process exits 0 for --version and 2 for an unknown option', () => {
  const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));
  const version = spawnSync(process.execPath, [vc, '--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  const usage = spawnSync(process.execPath, [vc, 'policy', 'check', '--no-such-flag'], {
    encoding: 'utf8',
  });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^error ERR_USAGE: /);
});

test('a reader that closes the pipe early ends vc quietly (no EPIPE crash)', () => {
  const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));
  const history = fileURLToPath(
    new URL('../scenarios/histories/sealed-bid-auction.vcj', import.meta.url),
  );
  // `head -c 1` reads one byte and closes the pipe while vc still writes its events; with
  // pipefail the pipeline's status is vc's own.
  const script = 'set -o pipefail; "$0" "$1" replay "$2" --json | head -c 1';
  const run = spawnSync('bash', ['-c', script, process.execPath, vc, history], {
    encoding: 'utf8',
  });
  assert.equal(run.stdout, '{');
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /EPIPE|Unhandled/);
});

test('docs/errors.md gives the exit code vc uses for each code', () => {
  const text = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows = text.split('\n').filter((line) => /^\|\s*`ERR_/.test(line));
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const cells = row
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const code = (cells[0] ?? '').replace(/`/g, '');
    assert.ok(isErrorCode(code), code);
    assert.equal(cells.at(-1), String(exitCodeOf(code)), code);
  }
});

test('a missing host file is ERR_FILE_NOT_FOUND naming the path, in every command that reads one', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'vc-missing-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const missing = join(work, 'nothing-here');
  const store = ['--store', join(work, 'store.json')];
  const lines: string[][] = [
    ['run', `${missing}.wasm`],
    ['run', '--pipeline', '/program/a.wasm', `${missing}.wasm`],
    ['attest', 'verify', '--platform', 'sim', '--evidence', `${missing}.bin`],
    ['attest', 'verify', '--platform', 'sim', '--evidence', `${missing}.bin`, '--key', missing],
    ['attest', 'endorse', 'add', '--platform', 'sim', '--key', missing, ...store],
    ['attest', 'endorse', 'add', '--platform', 'nitro', '--root', missing, ...store],
    ['replay', `${missing}.journal`],
    ['launch', 'policy.json', '--operator-key', `${missing}.key`],
    ['host', '--sim-key', 'sim.pem', '--launcher-keys', `${missing}.pem`],
    ['policy', 'generate', '-c', `${missing}.pem`, '-p', '/:r', '-s', 'a', '-t', 'b'],
  ];
  for (const argv of lines) {
    const io = captureIo();
    assert.equal(await main(argv, io), 1, argv.join(' '));
    assert.match(
      io.stderr.join('\n'),
      new RegExp(`^error ERR_FILE_NOT_FOUND: no such file: ${missing}`),
      argv.join(' '),
    );
  }
  const json = captureIo();
  assert.equal(await main(['run', missing, '--json'], json), 1);
  assert.deepEqual(JSON.parse(json.stdout.join('')), {
    ok: false,
    error: {
      code: 'ERR_FILE_NOT_FOUND',
      message: `no such file: ${missing}`,
      details: { path: missing },
    },
  });
  // ...and a folder where a file is wanted is ERR_BAD_PATH naming it, not ERR_INTERNAL
  const io = captureIo();
  assert.equal(await main(['run', work], io), 1);
  assert.match(io.stderr.join('\n'), new RegExp(`^error ERR_BAD_PATH: ${work}: `));
});

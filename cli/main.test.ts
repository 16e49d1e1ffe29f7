import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.js';
import { captureIo } from './command.js';

test('vc --help lists the commands found in cli/commands', async () => {
  const io = captureIo();
  assert.equal(await main(['--help'], io), 0);
  assert.match(io.stdout.join('\n'), /Usage: vc COMMAND/);
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

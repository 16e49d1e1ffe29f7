#!/usr/bin/env node
// The `vc` command. Sources are TypeScript run through tsx, so a fresh clone needs no build step.
// The process ends when the command has returned or thrown, even if a library left a timer or a
// socket open: standard output and error are flushed first, then the process exits.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`vc watch --json | head`) closes the pipe: stop quietly, as
// line-oriented tools do, rather than die on the unhandled EPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
const { main } = await import('../cli/index.ts');
const code = await main(process.argv.slice(2));
const drained = (stream) =>
  new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);

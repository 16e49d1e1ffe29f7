// Reference for sdk-tour: what each SDK call must have produced.
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  const data = need(run, '/input/data.bin');
  const facts = [
    `args,${(run.args ?? []).join(' ')}`,
    `greeting,${run.env?.['GREETING'] ?? '(none)'}`,
    'missing-env,null',
    'input-exists,yes',
    'nothing-exists,no',
    // Listed before facts.txt exists.
    'output-listing,anon.bin dir log.txt',
  ];
  return files([
    ['/output/log.txt', utf8('first\nsecond\n')],
    ['/output/dir/copy.bin', data],
    ['/output/anon.bin', data],
    ['/output/facts.txt', utf8(`${facts.join('\n')}\n`)],
  ]);
}

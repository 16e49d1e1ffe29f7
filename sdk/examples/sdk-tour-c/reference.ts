// Reference for sdk-tour-c: what each helper of veracruz.h must have produced.
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  const data = need(run, '/input/data.bin');
  const facts = [
    `greeting,${run.env?.['GREETING'] ?? '(none)'}`,
    'input-exists,yes',
    'nothing-exists,no',
    'random-bytes,300',
    // Listed before facts.txt exists.
    'output-listing,anon.bin log.txt',
  ];
  return files([
    ['/output/log.txt', utf8('first\nsecond\n')],
    ['/output/anon.bin', data],
    ['/output/facts.txt', utf8(`${facts.join('\n')}\n`)],
  ]);
}

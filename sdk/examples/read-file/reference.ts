// Reference for read-file: the copy, the test file, and the listing of /output.
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  return files([
    ['/output/hello-world-1.dat', need(run, '/input/hello-world-1.dat')],
    ['/output/test/test.txt', utf8('hello')],
    ['/output/listing.txt', utf8('hello-world-1.dat\nlisting.txt\ntest\n')],
  ]);
}

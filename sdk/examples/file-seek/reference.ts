// Reference for file-seek: the bytes after SKIP.
import { files, need, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  const skip = Number(run.env?.['SKIP'] ?? '0');
  return files([['/output/NEW_README.md', need(run, '/input/README.md').slice(skip)]]);
}

// Host paths of an example's files.
import { fileURLToPath } from 'node:url';

/** Absolute host path of `file` inside sdk/examples/<name>/. */
export function examplePath(name: string, file: string): string {
  return fileURLToPath(new URL(`../${name}/${file}`, import.meta.url));
}

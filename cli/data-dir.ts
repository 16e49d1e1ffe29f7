// `vc client --data-dir DIR=PREFIX`: every file under the host folder DIR, as one data upload each
// to PREFIX followed by the file's path relative to DIR (sub-folders kept), in sorted order: what
// Veracruz's server tests do with `TestEvent::write_all(dir, "/input/x/")`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileNotFoundError } from '../enclave/index.js';
import { BadPathError, UsageError } from '../protocol/index.js';

/** The (enclave path, host file) pairs of `DIR=PREFIX`, sorted by enclave path. */
export function dataDirFiles(spec: string): { path: string; file: string }[] {
  const at = spec.lastIndexOf('=');
  const dir = spec.slice(0, at);
  const prefix = spec.slice(at + 1).replace(/\/+$/, '');
  if (at <= 0 || !prefix.startsWith('/'))
    throw new UsageError(`--data-dir expects DIR=PREFIX (e.g. data=/input/x/), got "${spec}"`);
  let info;
  try {
    info = statSync(dir);
  } catch {
    throw new FileNotFoundError(dir);
  }
  if (!info.isDirectory()) throw new BadPathError(dir, 'a file where a folder is wanted');
  const found: { path: string; file: string }[] = [];
  const walk = (host: string, guest: string): void => {
    for (const entry of readdirSync(host, { withFileTypes: true })) {
      const [file, path] = [join(host, entry.name), `${guest}/${entry.name}`];
      if (entry.isDirectory()) walk(file, path);
      else if (entry.isFile()) found.push({ path, file });
      else throw new BadPathError(file, 'neither a file nor a folder (links are not followed)');
    }
  };
  walk(dir, prefix);
  if (found.length === 0) throw new BadPathError(dir, 'a folder without files');
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// What a run may leave behind, for tests asserting that nothing is (issue 14: after every scenario,
// no worker process and no temporary folder that held a key or plaintext). Linux /proc only:
// callers skip these checks where /proc is absent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const hasProc = existsSync('/proc/self/stat');

function parentOf(pid: number): number | undefined {
  try {
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // gone meanwhile
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every living descendant of `pid` (default: this process), children and theirs. */
export function descendantsOf(pid = process.pid): number[] {
  const parents = new Map(allPids().map((p) => [p, parentOf(p)] as const));
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => ppid !== undefined && frontier.includes(ppid));
    frontier = next.map(([p]) => p);
    found.push(...frontier);
  }
  return found;
}

/**
 * Processes whose environment holds `entry` (e.g. `TMPDIR=/tmp/x`): a child's whole tree
 * inherits it, so this finds orphans too, once their parent has exited.
 */
export function processesWithEnv(entry: string): number[] {
  return allPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
}

/** The `vc-*` folders in a temporary directory (default: this process's). */
export function vcTempFolders(dir = tmpdir()): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('vc-'))
    .sort();
}

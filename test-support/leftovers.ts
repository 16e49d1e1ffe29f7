// What a run may leave behind, for tests asserting that nothing is (issue 14: after every scenario,
// no worker process and no temporary folder that held a key or plaintext). Linux /proc only:
// callers skip these checks where /proc is absent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spareWorkers } from '../actors/index.js';
import { privateTempDir } from '../transport/index.js';

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
function descendantsOf(pid = process.pid): number[] {
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

/** A process that is part of the test runtime, not of a run: tsx's and the bundler's esbuild. */
function isToolProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('esbuild');
  } catch {
    return true; // gone meanwhile
  }
}

/**
 * Points this process's TMPDIR (and so its children's) at a fresh private folder, so that the
 * `vc-*` folders a run leaves can be told from other processes' on the same machine.
 */
export function isolateTmpdir(): string {
  const dir = privateTempDir('vc-isolated-').path; // removed when the test process exits
  process.env['TMPDIR'] = dir;
  return dir;
}

export interface LeftoverWatch {
  /**
   * Waits (up to `timeoutMs`, returning as soon as all is clean) until no child process started
   * since the watch began and no `vc-*` folder created since then remains; returns what remains.
   */
  settle(timeoutMs?: number): Promise<string[]>;
}

/** Starts watching for what a run leaves behind in this process's tree and TMPDIR. */
export function watchLeftovers(): LeftoverWatch {
  const dir = tmpdir();
  const folders = new Set(vcTempFolders(dir));
  const children = new Set(hasProc ? descendantsOf() : []);
  const remaining = (): string[] => [
    ...vcTempFolders(dir)
      .filter((name) => !folders.has(name))
      .map((name) => `folder ${join(dir, name)}`),
    ...(hasProc ? descendantsOf() : [])
      // A host's spare worker (started ahead of a launch, never handed one) is not a run's.
      .filter((pid) => !children.has(pid) && !isToolProcess(pid) && !spareWorkers().has(pid))
      .map(
        (pid) =>
          `process ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`,
      ),
  ];
  return {
    settle: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      let left = remaining();
      while (left.length > 0 && Date.now() < deadline) {
        await sleep(100);
        left = remaining();
      }
      return left;
    },
  };
}

// Transpiled components on disk, so that a component's first run in a new process skips jco (seconds
// for a ComponentizeJS guest). One file per component and jco version in a private folder
// (mode 0700, files 0600): `$VC_COMPONENT_CACHE`, else `$XDG_CACHE_HOME/veracruz-ts/components`,
// else `~/.cache/veracruz-ts/components`.
//
// An entry is `SHA-256(rest) || u32 header length || header (JSON) || core modules`, the header
// naming the component's SHA-256, jco's version, the glue, the imports and each core module's name
// and length. Reading checks the digest and that the header names the component asked for: a
// damaged, truncated or substituted entry is refused (and rewritten by the caller), never used.
// Nothing here makes the cache safe against someone who can write the folder (they could write a
// matching digest): the enclave runtime bundle, which runs in front of a possibly malicious host
// operator, never uses it (transpile.ts).
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../protocol/index.js';
import { privateDir } from '../../transport/index.js';

/** What the cache keeps of a transpilation (transpile.ts's TranspiledComponent but its origin). */
export interface CachedTranspilation {
  readonly hash: string;
  readonly glue: string;
  readonly coreModules: ReadonlyMap<string, Uint8Array>;
  readonly imports: readonly string[];
  readonly exports: readonly string[];
}

interface Header {
  readonly format: 1;
  readonly hash: string;
  readonly jco: string;
  readonly glue: string;
  readonly imports: readonly string[];
  readonly exports: readonly string[];
  readonly modules: readonly (readonly [string, number])[];
}

const DIGEST_BYTES = 32;

/** The folder of the cache (not created here). */
function componentCacheDir(): string {
  const configured = process.env['VC_COMPONENT_CACHE'];
  if (configured) return configured;
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'veracruz-ts', 'components');
}

let jcoVersionText: string | undefined;
/** The version of jco's transpiler, part of every entry's name and header. */
function jcoVersion(): string {
  jcoVersionText ??= (
    JSON.parse(
      readFileSync(
        fileURLToPath(
          new URL('../package.json', import.meta.resolve('@bytecodealliance/jco-transpile')),
        ),
        'utf8',
      ),
    ) as { version: string }
  ).version;
  return jcoVersionText;
}

function entryPath(hash: string): string {
  return join(componentCacheDir(), `${hash}-jco-${jcoVersion()}.bin`);
}

function digestOf(bytes: Uint8Array): Buffer {
  return Buffer.from(sha256Hex(bytes), 'hex');
}

/**
 * The cached transpilation of the component with SHA-256 `hash`: `undefined` when there is none,
 * `'refused'` when the entry is there but damaged or not this component's.
 */
export async function readCachedTranspilation(
  hash: string,
): Promise<CachedTranspilation | 'refused' | undefined> {
  let file: Buffer;
  try {
    file = await readFile(entryPath(hash));
  } catch {
    return undefined;
  }
  try {
    const rest = file.subarray(DIGEST_BYTES);
    if (file.length < DIGEST_BYTES + 4 || !digestOf(rest).equals(file.subarray(0, DIGEST_BYTES)))
      return 'refused';
    const headerLength = rest.readUInt32BE(0);
    const header = JSON.parse(rest.subarray(4, 4 + headerLength).toString('utf8')) as Header;
    if (header.format !== 1 || header.hash !== hash || header.jco !== jcoVersion())
      return 'refused';
    const coreModules = new Map<string, Uint8Array>();
    let offset = 4 + headerLength;
    for (const [name, length] of header.modules) {
      if (offset + length > rest.length) return 'refused';
      coreModules.set(name, new Uint8Array(rest.subarray(offset, offset + length)));
      offset += length;
    }
    if (offset !== rest.length) return 'refused';
    return {
      hash,
      glue: header.glue,
      coreModules,
      imports: header.imports,
      exports: header.exports,
    };
  } catch {
    return 'refused';
  }
}

/**
 * Writes (or replaces) the entry of `t`, atomically (a reader sees the old entry or the new one).
 * A cache that cannot be written is no error: the next process transpiles again.
 */
export async function writeCachedTranspilation(t: CachedTranspilation): Promise<void> {
  try {
    privateDir(componentCacheDir());
    const modules = [...t.coreModules];
    const header: Header = {
      format: 1,
      hash: t.hash,
      jco: jcoVersion(),
      glue: t.glue,
      imports: t.imports,
      exports: t.exports,
      modules: modules.map(([name, bytes]) => [name, bytes.length]),
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(headerBytes.length);
    const rest = Buffer.concat([length, headerBytes, ...modules.map(([, bytes]) => bytes)]);
    const path = entryPath(t.hash);
    const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, Buffer.concat([digestOf(rest), rest]), { mode: 0o600 });
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  } catch {
    // Best effort: a read-only or foreign folder leaves the cache unused.
  }
}

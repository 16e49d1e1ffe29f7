// The list sections of a policy: programs, pipelines, file hashes, native modules. (Identities,
// which involve certificates, are in identities.ts.)
import { PolicyError, childPath } from './errors.js';
import { asObject, has, readArray, readInteger, readString, U32_MAX } from './fields.js';
import { parsePipeline, pipelinePrograms } from './pipeline.js';
import { readFileRights } from './rights-json.js';
import { canonicalPathProblem, isPseudoFile } from './paths.js';
import { isJsonObject, type JsonObject } from './strict-json.js';
import type {
  NativeModuleType,
  PolicyFileHash,
  PolicyNativeModule,
  PolicyPipeline,
  PolicyProgram,
} from './types.js';

export const MAX_LIST_ENTRIES = 256;

/** Why `path` is not a plain absolute file path (normalised, not a directory, not a stream). */
function filePathProblem(path: string): string | undefined {
  if (isPseudoFile(path)) return 'a standard stream is not a file here';
  if (!path.startsWith('/')) return 'must be absolute (start with /)';
  if (path.endsWith('/')) return 'names a directory, not a file';
  if (/[\s\u0000-\u001f\u007f{};]/.test(path))
    return 'contains white space, a control character, { } or ;';
  return canonicalPathProblem(path);
}

function checkDistinct<T>(
  items: readonly T[],
  key: (item: T) => string | number,
  fail: (index: number, earlier: number) => never,
): void {
  const seen = new Map<string | number, number>();
  items.forEach((item, index) => {
    const earlier = seen.get(key(item));
    if (earlier !== undefined) fail(index, earlier);
    seen.set(key(item), index);
  });
}

export function readPrograms(policy: JsonObject): PolicyProgram[] {
  const list = readArray(policy, 'programs', '$', MAX_LIST_ENTRIES);
  const programs = list.map((item, index): PolicyProgram => {
    const path = childPath('$.programs', index);
    const entry = asObject(item, path);
    const programFileName = readString(entry, 'program_file_name', path);
    const problem = filePathProblem(programFileName);
    if (problem)
      throw new PolicyError(
        'ERR_POLICY_BAD_PROGRAM_PATH',
        childPath(path, 'program_file_name'),
        problem,
      );
    return {
      id: readInteger(entry, 'id', path, 0, U32_MAX),
      programFileName,
      fileRights: readFileRights(entry, path),
    };
  });
  checkDistinct(
    programs,
    (p) => p.programFileName,
    (index, earlier) => {
      throw new PolicyError(
        'ERR_POLICY_DUPLICATE_PROGRAM',
        `$.programs[${index}].program_file_name`,
        `same program as $.programs[${earlier}]`,
      );
    },
  );
  checkDistinct(
    programs,
    (p) => p.id,
    (index, earlier) => {
      throw new PolicyError(
        'ERR_POLICY_DUPLICATE_PROGRAM',
        `$.programs[${index}].id`,
        `same id as $.programs[${earlier}]`,
      );
    },
  );
  return programs;
}

export function readPipelines(
  policy: JsonObject,
  programs: readonly PolicyProgram[],
  nativeModules: readonly PolicyNativeModule[] = [],
): PolicyPipeline[] {
  const list = readArray(policy, 'pipelines', '$', MAX_LIST_ENTRIES);
  // A step runs a program or, as in Veracruz, a provisioned native module's binary.
  const known = new Set(programs.map((program) => program.programFileName));
  for (const module of nativeModules)
    if (module.type.kind === 'provisioned') known.add(module.type.entryPoint);
  const pipelines = list.map((item, index): PolicyPipeline => {
    const path = childPath('$.pipelines', index);
    const entry = asObject(item, path);
    const name = readString(entry, 'name', path);
    if (name.length === 0)
      throw new PolicyError('ERR_POLICY_BAD_PIPELINE', childPath(path, 'name'), 'empty name');
    const text = readString(entry, 'pipeline', path, 65536);
    let tree;
    try {
      tree = parsePipeline(text);
    } catch (error) {
      const cause = error as PolicyError;
      throw new PolicyError(
        'ERR_POLICY_BAD_PIPELINE',
        childPath(path, 'pipeline'),
        cause.message.replace(/^\$: /, ''),
        {
          details: { ...cause.details, path: childPath(path, 'pipeline') },
          cause,
        },
      );
    }
    const unknown = pipelinePrograms(tree).find((program) => !known.has(program));
    if (unknown !== undefined) {
      throw new PolicyError(
        'ERR_POLICY_PIPELINE_UNKNOWN_PROGRAM',
        childPath(path, 'pipeline'),
        `runs ${unknown}, which is neither in $.programs nor a provisioned native module`,
      );
    }
    return {
      id: readInteger(entry, 'id', path, 0, U32_MAX),
      name,
      pipeline: text,
      fileRights: readFileRights(entry, path),
    };
  });
  checkDistinct(
    pipelines,
    (p) => p.name,
    (index, earlier) => {
      throw new PolicyError(
        'ERR_POLICY_DUPLICATE_PIPELINE',
        `$.pipelines[${index}].name`,
        `same name as $.pipelines[${earlier}]`,
      );
    },
  );
  checkDistinct(
    pipelines,
    (p) => p.id,
    (index, earlier) => {
      throw new PolicyError(
        'ERR_POLICY_DUPLICATE_PIPELINE',
        `$.pipelines[${index}].id`,
        `same id as $.pipelines[${earlier}]`,
      );
    },
  );
  return pipelines;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function readFileHashes(policy: JsonObject): PolicyFileHash[] {
  const list = readArray(policy, 'file_hashes', '$', 4096);
  const hashes = list.map((item, index): PolicyFileHash => {
    const path = childPath('$.file_hashes', index);
    const entry = asObject(item, path);
    const filePath = readString(entry, 'file_path', path);
    const problem = filePathProblem(filePath);
    if (problem)
      throw new PolicyError('ERR_POLICY_BAD_FILE_PATH', childPath(path, 'file_path'), problem);
    const hash = readString(entry, 'hash', path);
    if (!SHA256_HEX.test(hash))
      throw new PolicyError(
        'ERR_POLICY_BAD_HASH',
        childPath(path, 'hash'),
        'expected 64 lowercase hex digits (SHA-256)',
      );
    return { filePath, hash };
  });
  checkDistinct(
    hashes,
    (h) => h.filePath,
    (index, earlier) => {
      throw new PolicyError(
        'ERR_POLICY_DUPLICATE_FILE_HASH',
        `$.file_hashes[${index}].file_path`,
        `same file as $.file_hashes[${earlier}]`,
      );
    },
  );
  return hashes;
}

const NATIVE_MODULE_FIELDS: Record<string, readonly string[]> = {
  Static: ['special_file'],
  Dynamic: ['entry_point', 'special_file'],
  Provisioned: ['entry_point'],
};

function checkNativeModuleType(value: unknown, path: string): NativeModuleType {
  const variants = isJsonObject(value as never) ? Object.keys(value as JsonObject) : [];
  const variant = variants[0];
  const fields = variant === undefined ? undefined : NATIVE_MODULE_FIELDS[variant];
  if (variants.length !== 1 || fields === undefined) {
    throw new PolicyError(
      'ERR_POLICY_BAD_NATIVE_MODULE',
      path,
      'expected one of {"Static": ...}, {"Dynamic": ...}, {"Provisioned": ...}',
    );
  }
  const body = (value as JsonObject)[variant as string];
  const bodyPath = childPath(path, variant as string);
  if (!isJsonObject(body) || Object.keys(body).sort().join() !== fields.join()) {
    throw new PolicyError(
      'ERR_POLICY_BAD_NATIVE_MODULE',
      bodyPath,
      `${variant} takes exactly ${fields.join(', ')}`,
    );
  }
  for (const field of fields) {
    if (
      typeof body[field] !== 'string' ||
      (body[field] as string).length === 0 ||
      (body[field] as string).length > 4096
    ) {
      throw new PolicyError(
        'ERR_POLICY_BAD_NATIVE_MODULE',
        childPath(bodyPath, field),
        'expected a path',
      );
    }
  }
  const specialFile = body['special_file'] as string;
  const entryPoint = body['entry_point'] as string;
  // Special files and provisioned binaries live in the enclave's file system: canonical paths.
  // A dynamic module's entry point is a binary on the host: an absolute host path.
  const vfsPath = (field: string, text: string): string => {
    const problem = filePathProblem(text);
    if (problem)
      throw new PolicyError('ERR_POLICY_BAD_NATIVE_MODULE', childPath(bodyPath, field), problem);
    return text;
  };
  switch (variant) {
    case 'Static':
      return { kind: 'static', specialFile: vfsPath('special_file', specialFile) };
    case 'Dynamic':
      if (!entryPoint.startsWith('/') || entryPoint.includes('\0'))
        throw new PolicyError(
          'ERR_POLICY_BAD_NATIVE_MODULE',
          childPath(bodyPath, 'entry_point'),
          'a dynamic module names its binary by an absolute host path',
        );
      return {
        kind: 'dynamic',
        specialFile: vfsPath('special_file', specialFile),
        entryPoint,
      };
    default:
      return { kind: 'provisioned', entryPoint: vfsPath('entry_point', entryPoint) };
  }
}

export function readNativeModules(policy: JsonObject): PolicyNativeModule[] {
  const list = readArray(policy, 'native_modules', '$', MAX_LIST_ENTRIES);
  return list.map((item, index) => {
    const path = childPath('$.native_modules', index);
    const entry = asObject(item, path);
    const name = readString(entry, 'name', path);
    if (!has(entry, 'type'))
      throw new PolicyError(
        'ERR_POLICY_MISSING_FIELD',
        childPath(path, 'type'),
        'required field "type" is missing',
      );
    return { name, type: checkNativeModuleType(entry['type'], childPath(path, 'type')) };
  });
}

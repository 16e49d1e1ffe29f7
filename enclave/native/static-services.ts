// Veracruz's static native modules (execution-engine native_modules/): built into the runtime and
// served inside the enclave when a program writes a request to the module's special file. Each
// works on the file system with the calling program's own rights (`ServiceFs`). The requests are
// Veracruz's postcard encodings; docs/policy.md#native-modules gives them field by field.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { NativeRequestError } from './errors.js';
import { postcardStructsToJson } from './postcard-json.js';
import { PostcardIncomplete, PostcardMalformed, PostcardReader } from '../../protocol/index.js';

/** The file system as the calling program sees it: every call checks that program's rights. */
export interface ServiceFs {
  /** Needs fd_read on `path`. */
  read(path: string): Uint8Array;
  /** Needs fd_write (and path_create_file for a new file); `append` adds at the end. */
  write(path: string, bytes: Uint8Array, append: boolean): void;
}

export interface StaticService {
  /**
   * Serves the request held in the special file. Returns false when the bytes end before the
   * request does (a request written in pieces): nothing is done and the bytes are kept.
   */
  serve(fs: ServiceFs, request: Uint8Array): boolean;
}

/** Veracruz's `AesCounterModeService` / `AeadService` request: key, iv, [aad], paths, direction. */
interface CipherRequest {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly aad: Uint8Array;
  readonly inputPath: string;
  readonly outputPath: string;
  readonly encrypt: boolean;
}

function readCipherRequest(bytes: Uint8Array, withAad: boolean): CipherRequest {
  const r = new PostcardReader(bytes);
  const key = r.take(16);
  const iv = r.take(16);
  const aad = withAad ? r.bytesField() : new Uint8Array(0);
  const inputPath = r.string();
  const outputPath = r.string();
  const encrypt = r.bool();
  r.end();
  return { key, iv, aad, inputPath, outputPath, encrypt };
}

/** Parses with `read`; undefined when incomplete; a malformed request is NativeRequestError. */
function parsed<T>(name: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof PostcardIncomplete) return undefined;
    if (error instanceof PostcardMalformed) throw new NativeRequestError(name, error.message);
    throw error;
  }
}

const AES_CTR = 'Counter mode AES Service';
const AEAD = 'AEAD Service';
const POSTCARD = 'Postcard Service';
const TAG_BYTES = 16;

const services: Record<string, StaticService> = {
  // AES-128 in counter mode over the whole 16-byte IV as the counter block; the output has the
  // input's length and is appended to output_path, as Veracruz does.
  [AES_CTR]: {
    serve(fs, bytes) {
      const request = parsed(AES_CTR, () => readCipherRequest(bytes, false));
      if (!request) return false;
      const input = fs.read(request.inputPath);
      const cipher = request.encrypt
        ? createCipheriv('aes-128-ctr', request.key, request.iv)
        : createDecipheriv('aes-128-ctr', request.key, request.iv);
      const output = Buffer.concat([cipher.update(input), cipher.final()]);
      fs.write(request.outputPath, new Uint8Array(output), true);
      return true;
    },
  },
  // AES-128-GCM with a 16-byte IV, the aad, and a 16-byte tag after the ciphertext.
  [AEAD]: {
    serve(fs, bytes) {
      const request = parsed(AEAD, () => readCipherRequest(bytes, true));
      if (!request) return false;
      const input = fs.read(request.inputPath);
      let output: Buffer;
      if (request.encrypt) {
        const cipher = createCipheriv('aes-128-gcm', request.key, request.iv);
        cipher.setAAD(request.aad);
        output = Buffer.concat([cipher.update(input), cipher.final(), cipher.getAuthTag()]);
      } else {
        if (input.length < TAG_BYTES)
          throw new NativeRequestError(AEAD, 'the input is shorter than its tag');
        const decipher = createDecipheriv('aes-128-gcm', request.key, request.iv);
        decipher.setAAD(request.aad);
        decipher.setAuthTag(input.subarray(input.length - TAG_BYTES));
        const body = decipher.update(input.subarray(0, input.length - TAG_BYTES));
        try {
          output = Buffer.concat([body, decipher.final()]);
        } catch {
          throw new NativeRequestError(AEAD, 'the input does not authenticate');
        }
      }
      fs.write(request.outputPath, new Uint8Array(output), true);
      return true;
    },
  },
  // A postcard Vec<Struct3> in, its serde_json text out at /services/postcard_result.dat.
  [POSTCARD]: {
    serve(fs, bytes) {
      const json = parsed(POSTCARD, () => postcardStructsToJson(bytes));
      if (json === undefined) return false;
      fs.write('/services/postcard_result.dat', new TextEncoder().encode(json), false);
      return true;
    },
  },
};

/** The static module called `name` (Veracruz's names), or undefined. */
export function staticService(name: string): StaticService | undefined {
  return Object.hasOwn(services, name) ? services[name] : undefined;
}

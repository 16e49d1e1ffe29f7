// Paths of the enclave's virtual file system as they appear in messages: absolute (`/input/a.csv`)
// or one of the pseudo files. `..` and `.` segments, empty segments and NUL are refused so that a
// path names exactly one file and prefix matching on rights cannot be fooled.

export const PSEUDO_FILES = ['stdin', 'stdout', 'stderr'] as const;
export const MAX_PATH_LENGTH = 4096;

export function isValidVfsPath(path: string): boolean {
  if ((PSEUDO_FILES as readonly string[]).includes(path)) return true;
  if (path.length === 0 || path.length > MAX_PATH_LENGTH || !path.startsWith('/')) return false;
  if (path.includes('\0')) return false;
  const segments = path.slice(1).split('/');
  return segments.every((s) => s !== '' && s !== '.' && s !== '..');
}

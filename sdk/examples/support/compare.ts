// Compares a program's outputs with the reference's: by bytes, as f64 values within a tolerance, or
// as darknet's prediction lines within tolerances.
import { fromUtf8, readF64s, type GuestFiles, type OutputComparison } from './types.js';

function hexPreview(bytes: Uint8Array | undefined): string {
  if (!bytes) return 'missing';
  return `${bytes.length} bytes ${Buffer.from(bytes.subarray(0, 24)).toString('hex')}`;
}

function f64Mismatch(
  actual: Uint8Array,
  expected: Uint8Array,
  tolerance: number,
  header: number,
): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  if (
    Buffer.compare(
      Buffer.from(actual.subarray(0, header)),
      Buffer.from(expected.subarray(0, header)),
    )
  )
    return `header ${hexPreview(actual.subarray(0, header))} != ${hexPreview(expected.subarray(0, header))}`;
  const a = readF64s(actual.subarray(header));
  const e = readF64s(expected.subarray(header));
  for (let i = 0; i < e.length; i++) {
    const x = a[i] ?? Number.NaN;
    const y = e[i] ?? Number.NaN;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const scale = Math.max(1, Math.abs(y));
    if (!(Math.abs(x - y) <= tolerance * scale)) return `value ${i}: ${x} != ${y}`;
  }
  return undefined;
}

const DETECTION_LINE = /^([^\t\n]+)\t(\d+\.\d\d)%\tx: (\S+)\ty: (\S+)\tw: (\S+)\th: (\S+)$/;

function detectionsMismatch(
  actual: Uint8Array,
  expected: Uint8Array,
  percent: number,
  box: number,
): string | undefined {
  const [actualText, expectedText] = [fromUtf8(actual), fromUtf8(expected)];
  if (actualText !== '' && !actualText.endsWith('\n')) return 'no final newline';
  const lines = (text: string): string[] => text.split('\n').slice(0, -1);
  const [got, want] = [lines(actualText), lines(expectedText)];
  if (got.length !== want.length)
    return `${got.length} detections, expected ${want.length}:\n${actualText}--- expected\n${expectedText}`;
  for (let i = 0; i < want.length; i++) {
    const [a, e] = [DETECTION_LINE.exec(got[i]!), DETECTION_LINE.exec(want[i]!)];
    if (!a || !e) return `line ${i + 1} is not a detection: ${got[i]}`;
    if (a[1] !== e[1]) return `line ${i + 1}: label ${a[1]}, expected ${e[1]}`;
    if (!(Math.abs(Number(a[2]) - Number(e[2])) <= percent))
      return `line ${i + 1}: ${a[2]}%, expected ${e[2]}%`;
    for (let k = 3; k <= 6; k++)
      if (!(Math.abs(Number(a[k]) - Number(e[k])) <= box))
        return `line ${i + 1}: ${got[i]}, expected ${want[i]}`;
  }
  return undefined;
}

/** A description of the first output that differs from `expected`, or undefined when all agree. */
export function outputMismatch(
  actual: GuestFiles,
  expected: GuestFiles,
  comparison: OutputComparison = { kind: 'bytes' },
): string | undefined {
  for (const [path, want] of expected) {
    const got = actual.get(path);
    if (!got) return `${path} is missing (outputs: ${[...actual.keys()].join(', ') || 'none'})`;
    if (comparison.kind === 'f64') {
      const why = f64Mismatch(got, want, comparison.relativeTolerance, comparison.header ?? 0);
      if (why) return `${path}: ${why}`;
    } else if (comparison.kind === 'detections') {
      const why = detectionsMismatch(got, want, comparison.percent, comparison.box);
      if (why) return `${path}: ${why}`;
    } else if (Buffer.compare(Buffer.from(got), Buffer.from(want)) !== 0) {
      return `${path}: got ${hexPreview(got)}, expected ${hexPreview(want)}`;
    }
  }
  return undefined;
}

// image-processing (AssemblyScript): crops a greyscale image (Veracruz's example cropped a PNG to
// its top-left 100 x 100 pixels; we use binary PGM, which needs no codec).
//
// Environment: CROP  "x,y,width,height" (default "0,0,100,100"); the rectangle is clipped to the
//              image, so it may come out smaller or empty.
// Input:  /input/image-processing.pgm   binary PGM (P5): "P5", width, height, maxval <= 255,
//         separated by whitespace (comments starting with # allowed), one whitespace byte, then
//         width * height pixel bytes, row by row
// Output: /output/image-processing.pgm  binary PGM written as "P5\n<w> <h>\n<maxval>\n" + pixels
import { fail, getEnv, readFile, utf8, writeFile } from '../../../assemblyscript/index';

let at = 0;

function isSpace(c: u8): bool {
  return c == 32 || c == 9 || c == 10 || c == 13;
}

function headerNumber(data: Uint8Array): i32 {
  while (at < data.length && (isSpace(data[at]) || data[at] == 35)) {
    if (data[at] == 35) while (at < data.length && data[at] != 10) at++;
    else at++;
  }
  let value: i64 = 0;
  const start = at;
  while (at < data.length && data[at] >= 48 && data[at] <= 57) {
    value = value * 10 + <i64>(data[at] - 48);
    if (value > 1 << 30) fail('PGM header number too large');
    at++;
  }
  if (at == start) fail('bad PGM header');
  return <i32>value;
}

function cropSetting(): i32[] {
  const text = getEnv('CROP');
  const parts = (text === null ? '0,0,100,100' : text).split(',');
  if (parts.length != 4) fail('CROP must be x,y,width,height');
  const out = new Array<i32>(4);
  for (let i = 0; i < 4; i++) out[i] = I32.parseInt(parts[i].trim());
  return out;
}

const data = readFile('/input/image-processing.pgm');
if (data.length < 2 || data[0] != 80 || data[1] != 53) fail('not a binary PGM (P5) image');
at = 2;
const width = headerNumber(data);
const height = headerNumber(data);
const maxval = headerNumber(data);
if (maxval < 1 || maxval > 255) fail('only 8-bit PGM is supported');
if (at >= data.length || !isSpace(data[at])) fail('bad PGM header');
at++;
if (<i64>data.length - at < <i64>width * height) fail('PGM pixel data is short');

const crop = cropSetting();
const x0 = min(max(crop[0], 0), width);
const y0 = min(max(crop[1], 0), height);
const w = min(max(crop[2], 0), width - x0);
const h = min(max(crop[3], 0), height - y0);
const header = utf8('P5\n' + w.toString() + ' ' + h.toString() + '\n' + maxval.toString() + '\n');
const out = new Uint8Array(header.length + w * h);
out.set(header);
for (let row = 0; row < h; row++) {
  const from = at + (y0 + row) * width + x0;
  out.set(data.subarray(from, from + w), header.length + row * w);
}
writeFile('/output/image-processing.pgm', out);

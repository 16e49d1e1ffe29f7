// Reference for image-processing: parse the PGM header with a regular expression, clip, copy rows.
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  const image = need(run, '/input/image-processing.pgm');
  const head = Buffer.from(image.subarray(0, 256)).toString('latin1');
  const match = /^P5(?:\s|#[^\n]*\n)+(\d+)(?:\s|#[^\n]*\n)+(\d+)(?:\s|#[^\n]*\n)+(\d+)\s/.exec(
    head,
  );
  if (!match) throw new Error('reference: bad PGM header');
  const [width, height, maxval] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const pixels = image.subarray(match[0].length);
  const [x, y, w, h] = (run.env?.['CROP'] ?? '0,0,100,100').split(',').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const x0 = Math.min(Math.max(x, 0), width);
  const y0 = Math.min(Math.max(y, 0), height);
  const cw = Math.min(Math.max(w, 0), width - x0);
  const ch = Math.min(Math.max(h, 0), height - y0);
  const rows: Uint8Array[] = [utf8(`P5\n${cw} ${ch}\n${maxval}\n`)];
  for (let row = 0; row < ch; row++) {
    const from = (y0 + row) * width + x0;
    rows.push(pixels.subarray(from, from + cw));
  }
  return files([['/output/image-processing.pgm', new Uint8Array(Buffer.concat(rows))]]);
}

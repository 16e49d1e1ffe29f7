// Seeded data for image-processing: an 8-bit RGB PNG (the kind Veracruz's generator makes from its
// JPEG), `size` pixels wide and 40 to 159 high, a gradient with noise, its rows filtered with each
// of PNG's five filters in turn and deflated by Node's zlib. Size 0 makes no image (refused).
import { encodePng } from '../support/png.js';
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  if (size === 0) return { files: files([['/input/image-processing.png', new Uint8Array(0)]]) };
  const width = size;
  const height = 40 + rng.below(120);
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++)
    for (let c = 0; c < 3; c++) pixels[3 * i + c] = ((i % width) * (c + 1) + rng.below(16)) & 0xff;
  const png = encodePng({ width, height, colour: 2, pixels }, { filter: (y) => y % 5 });
  return { files: files([['/input/image-processing.png', png]]) };
}

// Seeded data for image-processing: a PGM image of about `size` pixels (a gradient with noise and
// a header comment) and a random CROP rectangle, sometimes reaching past the edges.
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const width = size === 0 ? 0 : Math.max(1, Math.round(Math.sqrt(size) * (0.5 + rng.float())));
  const height = width === 0 ? 0 : Math.ceil(size / width);
  const header = utf8(`P5\n# seed ${seed}\n${width} ${height}\n255\n`);
  const image = new Uint8Array(header.length + width * height);
  image.set(header);
  for (let i = 0; i < width * height; i++)
    image[header.length + i] = ((i % width) + rng.below(16)) & 0xff;
  const crop = [
    rng.below(width + 2),
    rng.below(height + 2),
    rng.below(width + 2),
    rng.below(height + 2),
  ];
  return { files: files([['/input/image-processing.pgm', image]]), env: { CROP: crop.join(',') } };
}

// Reference for image-processing: decode the PNG (Node's zlib), keep the top-left
// min(width, 100) x min(height, 100) pixels, encode them as the guest does (filter 0, stored zlib).
import { CHANNELS, decodePng, encodePng } from '../support/png.js';
import { files, need, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  const image = decodePng(need(run, '/input/image-processing.png'));
  const bpp = CHANNELS[image.colour]!;
  const [width, height] = [Math.min(image.width, 100), Math.min(image.height, 100)];
  const pixels = new Uint8Array(width * height * bpp);
  for (let y = 0; y < height; y++)
    pixels.set(
      image.pixels.subarray(y * image.width * bpp, (y * image.width + width) * bpp),
      y * width * bpp,
    );
  const png = encodePng({ width, height, colour: image.colour, pixels }, { stored: true });
  return files([['/output/image-processing.png', png]]);
}

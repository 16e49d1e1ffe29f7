// PNG for image-processing's generator and reference (docs/guest-programs.md): 8-bit greyscale,
// greyscale-alpha, RGB and RGBA images, not interlaced. Written independently of the guest's
// decoder: Node's zlib does the (de)compression.
import { deflateSync, inflateSync } from 'node:zlib';
import { concatBytes, joinBytes } from '../../../protocol/index.js';

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Channels of each colour type this file handles. */
export const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const be32 = (n: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};

/** One chunk: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concatBytes(new TextEncoder().encode(type), data);
  return concatBytes(be32(data.length), typed, be32(crc32(typed)));
}

export interface PngImage {
  readonly width: number;
  readonly height: number;
  readonly colour: number;
  /** Rows of width * channels bytes, top to bottom. */
  readonly pixels: Uint8Array;
}

/** zlib with stored blocks only (no compression), as the guest writes its output. */
function zlibStored(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x78, 0x01])];
  const count = Math.max(1, Math.ceil(data.length / 65535));
  for (let i = 0; i < count; i++) {
    const block = data.subarray(i * 65535, (i + 1) * 65535);
    const head = new Uint8Array(5);
    head[0] = i + 1 === count ? 1 : 0;
    new DataView(head.buffer).setUint16(1, block.length, true);
    new DataView(head.buffer).setUint16(3, ~block.length & 0xffff, true);
    parts.push(head, block);
  }
  let s1 = 1;
  let s2 = 0;
  for (const byte of data) {
    s1 = (s1 + byte) % 65521;
    s2 = (s2 + s1) % 65521;
  }
  parts.push(be32(((s2 << 16) | s1) >>> 0));
  return joinBytes(parts);
}

/**
 * Encodes `image`: with `filter(y)` choosing each row's filter (0..4) and Node's deflate, or, with
 * `stored`, every row filter 0 and stored zlib blocks (the guest's output, byte for byte).
 */
export function encodePng(
  image: PngImage,
  options: { readonly stored: true } | { readonly filter: (y: number) => number },
): Uint8Array {
  const bpp = CHANNELS[image.colour]!;
  const stride = image.width * bpp;
  const raw = new Uint8Array((stride + 1) * image.height);
  const at = (x: number, y: number): number => (x < 0 || y < 0 ? 0 : image.pixels[y * stride + x]!);
  for (let y = 0; y < image.height; y++) {
    const filter = 'stored' in options ? 0 : options.filter(y);
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const [a, b, c] = [at(x - bpp, y), at(x, y - 1), at(x - bpp, y - 1)];
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!;
      raw[y * (stride + 1) + 1 + x] = (at(x, y) - predictor) & 0xff;
    }
  }
  const ihdr = concatBytes(
    be32(image.width),
    be32(image.height),
    new Uint8Array([8, image.colour, 0, 0, 0]),
  );
  const idat = 'stored' in options ? zlibStored(raw) : new Uint8Array(deflateSync(raw));
  return concatBytes(
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  );
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes an image `encodePng` can write (throws on anything else). */
export function decodePng(png: Uint8Array): PngImage {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  let ihdr: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (;;) {
    const length = view.getUint32(at);
    const type = Buffer.from(png.subarray(at + 4, at + 8)).toString('latin1');
    const data = png.subarray(at + 8, at + 8 + length);
    if (crc32(png.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length))
      throw new Error(`bad CRC in ${type}`);
    at += 12 + length;
    if (type === 'IHDR') ihdr = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
  }
  const head = new DataView(ihdr!.buffer, ihdr!.byteOffset, 13);
  const [width, height, colour] = [head.getUint32(0), head.getUint32(4), ihdr![9]!];
  const bpp = CHANNELS[colour]!;
  const stride = width * bpp;
  const raw = new Uint8Array(inflateSync(joinBytes(idat)));
  const pixels = new Uint8Array(stride * height);
  const at2 = (x: number, y: number): number => (x < 0 || y < 0 ? 0 : pixels[y * stride + x]!);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const [a, b, c] = [at2(x - bpp, y), at2(x, y - 1), at2(x - bpp, y - 1)];
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!;
      pixels[y * stride + x] = (raw[y * (stride + 1) + 1 + x]! + predictor) & 0xff;
    }
  }
  return { width, height, colour, pixels };
}

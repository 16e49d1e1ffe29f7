// A small darknet detector in darknet's own files, docs/guest-programs.md#darknet-inference-native:
// the .cfg text and the binary .weights (darknet's parser.c format: int32 major, minor, revision,
// then `seen`, a u64 when major * 10 + minor >= 2, then each convolutional layer's biases and
// weights as little-endian float32). darknet-inference-native's generator writes them; its
// reference reads them back. Only the subset the generator writes is read: a [net] of colour
// images, [convolutional] layers without batch normalisation or groups, and a final [region].
import { joinBytes } from '../../../protocol/index.js';

export type Activation = 'linear' | 'relu' | 'logistic' | 'leaky';

interface DarknetConv {
  readonly filters: number;
  readonly size: number;
  readonly stride: number;
  readonly padding: number;
  readonly activation: Activation;
  /** filters x channels x size x size, darknet's order (filter, channel, row, column). */
  readonly weights: Float32Array;
  readonly biases: Float32Array;
}

interface DarknetRegion {
  readonly classes: number;
  readonly num: number;
  /** Width and height of each anchor, in cells. */
  readonly anchors: readonly number[];
  /** Softmax over the classes (else each class through the logistic). */
  readonly softmax: boolean;
}

export interface DarknetNet {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly convs: readonly DarknetConv[];
  readonly region: DarknetRegion;
}

/** The .cfg text of `net`. */
export function darknetCfg(net: DarknetNet): string {
  const lines = ['[net]', `width=${net.width}`, `height=${net.height}`, `channels=${net.channels}`];
  for (const c of net.convs)
    lines.push(
      '',
      '[convolutional]',
      `filters=${c.filters}`,
      `size=${c.size}`,
      `stride=${c.stride}`,
      `padding=${c.padding}`,
      `activation=${c.activation}`,
    );
  const r = net.region;
  lines.push(
    '',
    '[region]',
    `anchors=${r.anchors.join(',')}`,
    `classes=${r.classes}`,
    'coords=4',
    `num=${r.num}`,
    `softmax=${r.softmax ? 1 : 0}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The .weights bytes of `net`: version 0.2.0, seen 0, then each layer's biases and weights. */
export function darknetWeights(net: DarknetNet): Uint8Array {
  const header = new DataView(new ArrayBuffer(20));
  header.setInt32(4, 2, true);
  const parts: Uint8Array[] = [new Uint8Array(header.buffer)];
  const floats = (values: Float32Array): Uint8Array => {
    const out = new DataView(new ArrayBuffer(values.length * 4));
    values.forEach((v, i) => out.setFloat32(i * 4, v, true));
    return new Uint8Array(out.buffer);
  };
  for (const c of net.convs) parts.push(floats(c.biases), floats(c.weights));
  return joinBytes(parts);
}

type Section = { readonly type: string; readonly options: Map<string, string> };

function sections(cfg: string): Section[] {
  const out: Section[] = [];
  cfg.split('\n').forEach((raw, i) => {
    const line = raw.replace(/[ \t]/g, '');
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.startsWith('[')) {
      out.push({ type: line, options: new Map() });
      return;
    }
    const eq = line.indexOf('=');
    const current = out[out.length - 1];
    if (!current || eq <= 0 || eq === line.length - 1)
      throw new Error(`cfg line ${i + 1} is not a section or key=value inside one: ${line}`);
    current.options.set(line.slice(0, eq), line.slice(eq + 1));
  });
  return out;
}

function intOption(s: Section, key: string, fallback?: number): number {
  const text = s.options.get(key);
  if (text === undefined) {
    if (fallback === undefined) throw new Error(`${s.type} has no ${key}`);
    return fallback;
  }
  if (!/^-?\d+$/.test(text)) throw new Error(`${s.type} ${key}=${text} is not an integer`);
  return Number(text);
}

function float32s(bytes: Uint8Array, at: number, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i, true));
}

/** Reads a cfg and weights of the subset above; throws on anything else or a size mismatch. */
export function readDarknet(cfg: string, weights: Uint8Array): DarknetNet {
  const all = sections(cfg);
  const [first, ...layers] = all;
  if (!first || (first.type !== '[net]' && first.type !== '[network]'))
    throw new Error('the cfg does not start with [net]');
  const width = intOption(first, 'width');
  const height = intOption(first, 'height');
  const channels = intOption(first, 'channels');
  const region = layers.pop();
  if (!region || region.type !== '[region]') throw new Error('the cfg does not end in [region]');
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  if (weights.length < 16) throw new Error('the weights are too short');
  const [major, minor] = [view.getInt32(0, true), view.getInt32(4, true)];
  let at = 12 + (major * 10 + minor >= 2 && major < 1000 && minor < 1000 ? 8 : 4);
  let [w, h, c] = [width, height, channels];
  const convs: DarknetConv[] = [];
  for (const s of layers) {
    if (s.type !== '[convolutional]' && s.type !== '[conv]')
      throw new Error(`${s.type}: this reader takes [convolutional] layers only`);
    if (intOption(s, 'batch_normalize', 0) !== 0 || intOption(s, 'groups', 1) !== 1)
      throw new Error(`${s.type}: batch normalisation and groups are not read`);
    const filters = intOption(s, 'filters', 1);
    const size = intOption(s, 'size', 1);
    const stride = intOption(s, 'stride', 1);
    const padding = intOption(s, 'pad', 0) ? Math.floor(size / 2) : intOption(s, 'padding', 0);
    const activation = s.options.get('activation') ?? 'logistic';
    if (!['linear', 'relu', 'logistic', 'leaky'].includes(activation))
      throw new Error(`${s.type}: activation ${activation} is not read`);
    const count = filters * c * size * size;
    if (at + 4 * (filters + count) > weights.length)
      throw new Error(`the weights end inside layer ${convs.length}`);
    const biases = float32s(weights, at, filters);
    at += 4 * filters;
    convs.push({
      filters,
      size,
      stride,
      padding,
      activation: activation as Activation,
      weights: float32s(weights, at, count),
      biases,
    });
    at += 4 * count;
    [w, h, c] = [
      Math.floor((w + 2 * padding - size) / stride) + 1,
      Math.floor((h + 2 * padding - size) / stride) + 1,
      filters,
    ];
  }
  if (at !== weights.length) throw new Error(`${weights.length - at} bytes after the weights`);
  const num = intOption(region, 'num', 1);
  const classes = intOption(region, 'classes', 20);
  if (intOption(region, 'coords', 4) !== 4) throw new Error('[region] coords other than 4');
  if (c !== num * (classes + 5))
    throw new Error(`[region] takes ${num * (classes + 5)} channels, not ${c}`);
  const anchors = (region.options.get('anchors') ?? '').split(',').map(Number);
  if (anchors.length < 2 * num || anchors.some((a) => !Number.isFinite(a)))
    throw new Error('[region] has fewer anchors than boxes');
  return {
    width,
    height,
    channels,
    convs,
    region: { classes, num, anchors, softmax: intOption(region, 'softmax', 0) === 1 },
  };
}

// Reference for intersection-set-sum: Veracruz's nested loop (each viewer in order, each customer
// in order, adding the spend of those with the same id) over the decoded postcard vectors.
import { postcardF64s } from '../../../protocol/index.js';
import { files, need, type ExampleRun, type GuestFiles } from '../support/types.js';

class Reader {
  private at = 0;
  private readonly view: DataView;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  length(): number {
    let value = 0;
    for (let shift = 1; ; shift *= 0x80) {
      const byte = this.bytes[this.at++]!;
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
  }

  string(): string {
    const length = this.length();
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      this.bytes.subarray(this.at, this.at + length),
    );
    this.at += length;
    return text;
  }

  f64(): number {
    const value = this.view.getFloat64(this.at, true);
    this.at += 8;
    return value;
  }
}

export function reference(run: ExampleRun): GuestFiles {
  const viewerInput = new Reader(need(run, '/input/intersection-advertisement-viewer.dat'));
  const viewers = Array.from({ length: viewerInput.length() }, () => viewerInput.string());
  const customerInput = new Reader(need(run, '/input/intersection-customer.dat'));
  const customers = Array.from({ length: customerInput.length() }, () => ({
    id: customerInput.string(),
    spend: customerInput.f64(),
  }));
  const byId = new Map<string, number[]>();
  for (const { id, spend } of customers) byId.set(id, [...(byId.get(id) ?? []), spend]);
  let total = 0;
  for (const viewer of viewers) for (const spend of byId.get(viewer) ?? []) total += spend;
  return files([['/output/intersection-set-sum.dat', postcardF64s([total])]]);
}

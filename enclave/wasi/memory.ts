// Access to the guest's linear memory from host calls. Views are refreshed whenever the memory has
// grown (growth detaches the old ArrayBuffer). Out-of-bounds accesses throw RangeError, which the
// host turns into EFAULT.
import type { WasmMemory } from '../wasm-api.js';

export class GuestMemory {
  private memory: WasmMemory | undefined;
  private buffer: ArrayBuffer | undefined;
  private view = new DataView(new ArrayBuffer(0));
  private bytes = new Uint8Array(0);

  attach(memory: WasmMemory): void {
    this.memory = memory;
  }

  private refresh(): void {
    const current = this.memory?.buffer;
    if (current !== this.buffer && current) {
      this.buffer = current;
      this.view = new DataView(current);
      this.bytes = new Uint8Array(current);
    }
  }

  get u8(): Uint8Array {
    this.refresh();
    return this.bytes;
  }

  get dv(): DataView {
    this.refresh();
    return this.view;
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }

  setU8(ptr: number, v: number): void {
    this.dv.setUint8(ptr, v);
  }

  setU16(ptr: number, v: number): void {
    this.dv.setUint16(ptr, v, true);
  }

  setU32(ptr: number, v: number): void {
    this.dv.setUint32(ptr, v, true);
  }

  setU64(ptr: number, v: bigint | number): void {
    this.dv.setBigUint64(ptr, BigInt(v), true);
  }

  /** A view of guest bytes (no copy); throws RangeError when out of bounds. */
  slice(ptr: number, len: number): Uint8Array {
    const bytes = this.u8;
    if (ptr < 0 || len < 0 || ptr + len > bytes.length)
      throw new RangeError('guest pointer out of bounds');
    return bytes.subarray(ptr, ptr + len);
  }

  string(ptr: number, len: number): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.slice(ptr, len));
  }

  write(ptr: number, data: Uint8Array): void {
    this.slice(ptr, data.length).set(data);
  }

  /** The (ptr, len) pairs of an iovec / ciovec array. */
  iovecs(ptr: number, count: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) out.push([this.u32(ptr + i * 8), this.u32(ptr + i * 8 + 4)]);
    return out;
  }
}

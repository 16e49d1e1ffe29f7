// A minimal msgpack writer with minimal-length encodings, for byte layouts that must be exact
// (envelope headers, HPKE `info`, chunk AAD): see docs/protocol.md.

const utf8 = new TextEncoder();

/** Writes uint, str, bool, bin and array headers, each in its shortest form. */
export class MsgpackWriter {
  readonly parts: Uint8Array[] = [];
  size = 0;
  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }
  uint(n: number): void {
    if (n < 0x80) this.push(Uint8Array.of(n));
    else if (n < 0x100) this.push(Uint8Array.of(0xcc, n));
    else if (n < 0x10000) this.push(Uint8Array.of(0xcd, n >> 8, n & 0xff));
    else if (n < 2 ** 32) this.fixed(0xce, 4, (v) => v.setUint32(1, n));
    else this.fixed(0xcf, 8, (v) => v.setBigUint64(1, BigInt(n)));
  }
  str(s: string): void {
    const bytes = utf8.encode(s);
    this.lengthPrefix(bytes.length, 0xa0, 0x20, [0xd9, 0xda, 0xdb]);
    this.push(bytes);
  }
  bin(bytes: Uint8Array): void {
    this.lengthPrefix(bytes.length, -1, 0, [0xc4, 0xc5, 0xc6]);
    this.push(bytes);
  }
  bool(b: boolean): void {
    this.push(Uint8Array.of(b ? 0xc3 : 0xc2));
  }
  arrayHeader(n: number): void {
    if (n < 0x10) this.push(Uint8Array.of(0x90 + n));
    else if (n < 0x10000) this.push(Uint8Array.of(0xdc, n >> 8, n & 0xff));
    else this.fixed(0xdd, 4, (v) => v.setUint32(1, n));
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  private lengthPrefix(n: number, fix: number, fixLimit: number, tokens: readonly number[]): void {
    const [t8, t16, t32] = tokens as [number, number, number];
    if (n < fixLimit) this.push(Uint8Array.of(fix + n));
    else if (n < 0x100) this.push(Uint8Array.of(t8, n));
    else if (n < 0x10000) this.push(Uint8Array.of(t16, n >> 8, n & 0xff));
    else this.fixed(t32, 4, (v) => v.setUint32(1, n));
  }
  private fixed(token: number, size: number, write: (v: DataView) => void): void {
    const b = new Uint8Array(1 + size);
    b[0] = token;
    write(new DataView(b.buffer));
    this.push(b);
  }
}

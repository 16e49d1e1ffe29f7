// random-source (AssemblyScript): 32 bytes from the host's random source, as Veracruz's example.
// Output: /output/random.dat, postcard Vec<u8>: the length 32 as a varint (one byte, 0x20), then
// the 32 bytes. In deterministic mode (vc run --seed N) the bytes are the first 32 bytes of the
// host's seeded stream.
import { randomBytes, writeFile } from '../../../assemblyscript/index';

const out = new Uint8Array(33);
out[0] = 32;
out.set(randomBytes(32), 1);
writeFile('/output/random.dat', out);

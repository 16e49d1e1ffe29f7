// random-source (AssemblyScript): writes 32 bytes from the host's random source.
// Output: /output/random.dat, 32 raw bytes. In deterministic mode (vc run --seed N) the bytes are
// the first 32 bytes of the host's seeded stream.
import { randomBytes, writeFile } from '../../../assemblyscript/index';

writeFile('/output/random.dat', randomBytes(32));

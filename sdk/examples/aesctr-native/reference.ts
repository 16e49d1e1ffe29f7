// Reference for aesctr-native: AES-128-CTR (the 16-byte IV as the whole counter block) of the
// program's two messages under its key, as OpenSSL's `enc -aes-128-ctr` computes them, and the
// empty pass marker the program writes when the service agrees.
import { createCipheriv } from 'node:crypto';
import { files, utf8, type GuestFiles } from '../support/types.js';

const AESCTR_KEY = 'aujourdhuimamane';
const AESCTR_IV = 'stmorteoupeutetr';

function aesCtr(message: string): Uint8Array {
  const cipher = createCipheriv('aes-128-ctr', utf8(AESCTR_KEY), utf8(AESCTR_IV));
  return new Uint8Array(Buffer.concat([cipher.update(utf8(message)), cipher.final()]));
}

export function reference(): GuestFiles {
  return files([
    ['/output/aesctr_native_pass.txt', new Uint8Array(0)],
    // The second message overwrote the first.
    ['/output/data.dat', utf8('nesaispas')],
    ['/output/dec.dat', aesCtr('nesaispas')],
    ['/output/enc.dat', aesCtr('ehierje')],
  ]);
}

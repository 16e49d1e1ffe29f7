// Every source of nondeterminism the verifier uses enters through these parameters.
import { randomBytes } from 'node:crypto';

export type RandomBytes = (length: number) => Uint8Array;
export type Clock = () => Date;

export const systemRandom: RandomBytes = (length) => new Uint8Array(randomBytes(length));
export const systemClock: Clock = () => new Date();

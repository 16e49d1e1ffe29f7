// Reference for keep-primes: trial division (independent of the guest's sieve), order kept.
import { files, fromUtf8, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

export function keepPrimes(text: string): string {
  const trimmed = text.trim();
  const primes = trimmed === '' ? [] : trimmed.split(',').map(Number).filter(isPrime);
  return primes.length === 0 ? '' : `${primes.join(',')}\n`;
}

export function reference(run: ExampleRun): GuestFiles {
  return files([
    ['/output/number-set.txt', utf8(keepPrimes(fromUtf8(need(run, '/output/number-set.txt'))))],
  ]);
}

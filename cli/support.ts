// Small pieces the protocol's commands share (vc host, verifier, launch, client, replay).

const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export function defaultNatsUrl(): string {
  return process.env['VC_NATS_URL'] ?? DEFAULT_NATS_URL;
}

/** Resolves on SIGINT or SIGTERM (long-running services). */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/** Splits `PATH=FILE` (the path is inside the enclave, the file on this machine). */
export function pathAndFile(spec: string, flag: string): { path: string; file: string } {
  const at = spec.indexOf('=');
  if (at <= 0 || at === spec.length - 1)
    throw new TypeError(`${flag} expects PATH=FILE, got "${spec}"`);
  return { path: spec.slice(0, at), file: spec.slice(at + 1) };
}

/** A one-line progress bar (`[#####.....]  50% /input/big.dat 50.0/100.0 MiB`). */
export function progressBar(path: string, sent: number, total: number, width = 30): string {
  const fraction = total === 0 ? 1 : sent / total;
  const filled = Math.round(fraction * width);
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${path} ${mib(sent)}/${mib(total)} MiB`;
}

// The one SIGINT/SIGTERM policy of a `vc` process (issue 14, item 6).
//   - A service waiting in `untilSignal()` (vc host, vc verifier, vc inspect) drains: the signal
//     wakes it, it stops accepting, stops its workers and closes the bus, and exits 0; should the
//     drain hang, the process ends anyway after DRAIN_MS.
//   - Any other command is interrupted: `error ERR_INTERRUPTED: ...`, the registered clean-ups run
//     (transport's onInterruptCleanup: `vc` children asked to end and awaited), every private
//     temporary folder is removed, and it exits with ERR_INTERRUPTED's code (130); a private
//     nats-server dies with the process (transport/nats-server.ts).
//   - A second signal exits at once (the exit hook still removes the private folders).
import { runInterruptCleanups } from '../transport/index.js';

const DRAIN_MS = 10_000;
const CLEANUP_MS = 8_000;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

let wakeService: (() => void) | undefined;

/** Resolves on SIGINT or SIGTERM: a long-running service waits here, then drains. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => (wakeService = resolve));
}

/**
 * Installs the policy for this process; `interrupted` reports an interruption (prints it, once)
 * and returns its exit code. Returns the function that uninstalls it.
 */
export function handleSignals(interrupted: (signal: NodeJS.Signals) => number): () => void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) process.exit(interrupted(signal));
    received = true;
    const service = wakeService;
    wakeService = undefined;
    if (service) {
      service();
      // A drain that hangs (a worker that ignores SIGTERM, a bus that never closes) still ends.
      setTimeout(() => process.exit(process.exitCode ?? 1), DRAIN_MS).unref();
      return;
    }
    const code = interrupted(signal);
    void runInterruptCleanups(CLEANUP_MS).finally(() => process.exit(code));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}

// The sandbox workers' bundled sources when this code itself runs from a bundle: the enclave
// runtime's build (enclave/evidence/runtime-bundle.ts) replaces this module with the workers'
// bundles as string constants, so the code the worker threads run is part of the measured bytes,
// and sets MEASURED_RUNTIME; the CLI's bundles (cli/bundle.ts) carry the workers too, so `vc run`
// does not bundle them on each start, but are not the measured runtime. Run from the sources,
// BUNDLED_WORKER_SOURCES is `undefined` and the workers are bundled on first use (worker-bundle.ts).
export const BUNDLED_WORKER_SOURCES: Readonly<Record<string, string>> | undefined = undefined;
/** True only in the measured enclave runtime bundle (dist/enclave-runtime.mjs). */
export const MEASURED_RUNTIME: boolean = false;

// The sandbox workers' bundled sources when this code itself runs from the enclave runtime bundle
// (dist/enclave-runtime.mjs): the runtime build (enclave/evidence/runtime-bundle.ts) replaces this
// module with the workers' bundles as string constants, so the code the worker threads run is part
// of the measured bytes. Run from the sources, it is `undefined` and the workers are bundled on
// first use (worker-bundle.ts).
export const BUNDLED_WORKER_SOURCES: Readonly<Record<string, string>> | undefined = undefined;

// Veracruz guest SDK for AssemblyScript, built directly on WASI preview 1 imports (wasi.ts).
// Paths are absolute guest paths (`/input/x.dat`, `/output/y.dat`), resolved against the
// directories the host pre-opens, as wasi-libc does. AssemblyScript has no exceptions: every
// `try*` helper returns null / false / -1 and records `lastErrno()`; the plain helpers print a
// message to stderr and exit with status 1, which is what most programs want.
// Build: see scripts/build-programs.sh (`--exportStart _start --use abort=.../abortHandler`).
export * from './wasi';
export * from './core';
export * from './env';
export * from './files';
export * from './text';
export * from './binary';

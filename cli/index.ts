// The public face of cli/: what other folders may import from it (docs/architecture.md).
export { captureIo } from './command.js';
export { main } from './main.js';
export { renamablePaths, progressBar } from './support.js';
export { buildCliBundle } from './bundle.js';

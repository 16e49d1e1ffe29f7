// Public API of WebAssembly component support (docs/components.md): detection, running a WASI 0.2
// command component with the sandbox's RunOptions/RunResult, preparing one at provisioning time.
export { isComponent, isCoreModule } from './detect.js';
export { runComponent, prepareComponent, clearComponentCaches } from './run-component.js';
export { transpileComponent, type TranspiledComponent } from './transpile.js';
export { SUPPORTED_INTERFACES } from './host/interfaces.js';
export {
  ComponentImportError,
  ComponentNotCommandError,
  ComponentTranspileError,
} from './errors.js';

// Errors specific to WebAssembly components. Limits, traps and timeouts reuse the sandbox's errors
// (enclave/errors.ts) so that a caller sees the same codes for components and core modules.
import { VcError } from '../../protocol/index.js';

/** The component imports an interface our WASI 0.2 host does not provide (sockets, HTTP, ...). */
export class ComponentImportError extends VcError {
  constructor(imports: readonly string[]) {
    super(
      'ERR_COMPONENT_IMPORT',
      `component imports unsupported interfaces: ${imports.join(', ')}`,
      {
        details: { imports: [...imports] },
      },
    );
  }
}

/** jco could not transpile the component (malformed, or a component-model feature it lacks). */
export class ComponentTranspileError extends VcError {
  constructor(message: string, cause?: unknown) {
    super('ERR_COMPONENT_TRANSPILE', `component could not be transpiled: ${message}`, { cause });
  }
}

/** The component exports no `wasi:cli/run` to call. */
export class ComponentNotCommandError extends VcError {
  constructor(exports: readonly string[]) {
    super('ERR_COMPONENT_NOT_COMMAND', 'component exports no wasi:cli/run interface', {
      details: { exports: [...exports] },
    });
  }
}

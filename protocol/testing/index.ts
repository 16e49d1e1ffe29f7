// The public face of protocol/testing/: what other folders may import from it (docs/architecture.md).
export { makeTestPolicy } from './policy-fixture.js';
export type { TestPolicy } from './policy-fixture.js';

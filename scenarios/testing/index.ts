// The public face of scenarios/testing/: what other folders may import from it (docs/architecture.md).
export { identities, kindsSentBy, policyFor, wasmOf } from './system-kit.js';
export type { SystemPolicySpec } from './system-kit.js';
export { refusalCases, veracruzCases } from './veracruz-cases.js';

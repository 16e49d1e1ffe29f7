// Test helpers of attestation/ for tests in other folders (docs/architecture.md, Faces).
export { generateP256, resignPsaToken } from './psa-token.js';

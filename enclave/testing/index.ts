// Test helpers of enclave/: what tests in other folders may import (docs/architecture.md, Faces).
export { liveSandboxThreads } from '../runner/worker-bundle.js';
export { missingSandboxTool } from '../native/sandbox.js';
export { guestBytes } from '../guests/guests.js';

// Pure protocol machines, one per role, plus the pure driver used by replay.
export * from './enclave-events.js';
export { enclaveMachine, type EnclaveContext, type EnclaveInput } from './enclave-machine.js';
export * from './participant-machine.js';
export * from './verifier-machine.js';
export * from './host-machine.js';
export * from './policy-view.js';
export * from './failure.js';
export * from './drive.js';
export { planCompute, checkProvision, checkRead, shutdownWaitingFor } from './enclave-rules.js';

import { enclaveMachine } from './enclave-machine.js';
import { hostMachine } from './host-machine.js';
import { participantMachine } from './participant-machine.js';
import { verifierMachine } from './verifier-machine.js';

/** Machines by id, as named in trace records. */
export const MACHINES = {
  enclave: enclaveMachine,
  participant: participantMachine,
  verifier: verifierMachine,
  host: hostMachine,
} as const;
export type MachineId = keyof typeof MACHINES;

// Pure protocol machines, one per role, plus the pure driver used by replay.
export { MACHINES } from './catalog.js';
export { MachineDriver } from './drive.js';
export type { DrivenStep } from './drive.js';
export type { EnclaveEvent, EnclaveOutput, EnclaveRequestEvent, Handle } from './enclave-events.js';
export { enclaveMachine } from './enclave-machine.js';
export type { EnclaveInput } from './enclave-machine.js';
export { checkUpload } from './enclave-rules.js';
export { hostMachine } from './host-machine.js';
export type { HostOutput } from './host-machine.js';
export { participantMachine } from './participant-machine.js';
export type {
  EnclaveFacts,
  ParticipantEvent,
  ParticipantOutput,
  Step,
  StepOutcome,
} from './participant-machine.js';
export type { PolicyView } from './policy-view.js';
export { verifierMachine } from './verifier-machine.js';
export type { VerifierOutput } from './verifier-machine.js';

// The role machines by id, as named in trace records.
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

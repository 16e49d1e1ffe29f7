// The message vocabulary of the provisioning protocol: kinds, body shapes, validators, subjects and
// the protocol's error class.
export * from './bodies.js';
export * from './errors.js';
export * from './subjects.js';
export { bodyProblem, validateBody } from './validate.js';

// ESLint flat config. The one architectural rule that matters most lives here: machines/ stays pure
// (no I/O, no clock, no randomness), so that replaying a machine's event log reproduces its states.
import tseslint from 'typescript-eslint';

const impureInMachines = {
  patterns: [
    { group: ['node:*', 'fs', 'net', 'crypto', 'worker_threads', 'child_process'], message: 'machines/ must stay pure: bind I/O in actors/.' },
    { group: ['@nats-io/*', 'msgpackr', '@hpke/*', '@peculiar/*'], message: 'machines/ must stay pure: bind I/O in actors/.' },
    { group: ['../transport/*', '../enclave/*', '../attestation/*', '../actors/*'], message: 'machines/ imports only xstate and protocol/.' },
  ],
};

export default tseslint.config(
  {
    ignores: ['node_modules/**', '.tmp*/**', '**/*.wasm', 'sdk/assemblyscript/**', '**/assembly/**', '**/generated/**', 'bench/results/**'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['machines/**/*.ts'],
    ignores: ['machines/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', impureInMachines],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Time enters machines as events.' }, { name: 'setTimeout', message: 'Timers are events from a timer service.' }, { name: 'setInterval', message: 'Timers are events from a timer service.' }, { name: 'crypto', message: 'Randomness enters machines as events.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Randomness enters machines as events.' }, { object: 'Date', property: 'now', message: 'Time enters machines as events.' }],
    },
  },
);

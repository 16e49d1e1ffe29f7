// ESLint flat config. The house rules of docs/architecture.md live here: dependencies point down the
// layers, folders are reached through their public face, no import cycles (scripts/lint/house-rules.mjs),
// and machines/ stays pure (no I/O, no clock, no randomness), so that replaying a machine's event log
// reproduces its states. TypeScript files are linted with type information.
import tseslint from 'typescript-eslint';
import house from './scripts/lint/house-rules.mjs';

const impureInMachines = {
  patterns: [
    {
      group: ['node:*', 'fs', 'net', 'crypto', 'worker_threads', 'child_process'],
      message: 'machines/ must stay pure: bind I/O in actors/.',
    },
    {
      group: ['@nats-io/*', 'msgpackr', '@hpke/*', '@peculiar/*'],
      message: 'machines/ must stay pure: bind I/O in actors/.',
    },
    {
      group: ['../transport/*', '../enclave/*', '../attestation/*', '../actors/*'],
      message: 'machines/ imports only xstate and protocol/.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.tmp*/**',
      '**/*.wasm',
      'sdk/assemblyscript/**',
      '**/assembly/**',
      '**/generated/**',
      'bench/results/**',
      'dist/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { house },
    rules: { 'house/layers': 'error', 'house/faces': 'error', 'house/no-cycle': 'error' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: [
                'test',
                'it',
                'describe',
                'suite',
                'before',
                'after',
                'beforeEach',
                'afterEach',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // Playwright evaluates a string with eval() in the page on every poll after the first; our
      // pages' Content-Security-Policy refuses eval, so such a wait fails at once instead of waiting
      // (test-support/browser.ts).
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='waitForFunction'][arguments.0.type=/^(Literal|TemplateLiteral)$/]",
          message:
            "Pass waitForFunction a function, not a string: the page's CSP refuses eval on the polls after the first (test-support/browser.ts waitForCount).",
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
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
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Time enters machines as events.' },
        { name: 'setTimeout', message: 'Timers are events from a timer service.' },
        { name: 'setInterval', message: 'Timers are events from a timer service.' },
        { name: 'crypto', message: 'Randomness enters machines as events.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Randomness enters machines as events.' },
        { object: 'Date', property: 'now', message: 'Time enters machines as events.' },
      ],
    },
  },
);

// The sandbox workers' bundles carry the sandbox and nothing else: other folders are imported through
// their faces, and package.json's `"sideEffects": false` lets esbuild drop what the worker does not
// use (the x509 library alone would make every worker start parse some 800 KiB).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerSource } from './worker-bundle.js';

for (const entry of ['core-module', 'component'] as const) {
  test(`the ${entry} bundle leaves out the identity and certificate libraries`, async () => {
    const source = await workerSource(entry);
    for (const library of ['@peculiar/x509', 'asn1js', 'reflect-metadata', '@nats-io'])
      assert.ok(!source.includes(`node_modules/${library}/`), `${library} is bundled`);
  });
}

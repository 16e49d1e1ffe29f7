// Writes docs/scenario.schema.json, the published JSON Schema of scenario files, from its one
// definition (scenarios/file/schema.ts). scenarios/file/scenario-file.test.ts fails when the
// committed file and the definition disagree:
//   npm run build:scenario-schema
import { writeFileSync } from 'node:fs';
import { scenarioFileSchema } from '../scenarios/index.js';

const out = new URL('../docs/scenario.schema.json', import.meta.url).pathname;
writeFileSync(out, JSON.stringify(scenarioFileSchema(), null, 2) + '\n');
console.log(`wrote ${out}`);

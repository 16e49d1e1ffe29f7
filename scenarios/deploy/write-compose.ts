// Regenerates docker-compose.yml at the repository root: `npx tsx scenarios/deploy/write-compose.ts`.
import { writeFileSync } from 'node:fs';
import { composeText } from './compose.js';

const target = new URL('../../docker-compose.yml', import.meta.url);
writeFileSync(target, composeText());
console.log(`wrote ${target.pathname}`);

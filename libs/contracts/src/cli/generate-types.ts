import { writeFileSync } from 'node:fs';
import { contractsLayout } from '../paths.js';
import { loadSourceSchemas } from '../schema-source.js';
import { generateEventTypes } from '../type-generator.js';

const layout = contractsLayout(process.argv[2]);
writeFileSync(layout.generatedTypesFile, generateEventTypes(loadSourceSchemas(layout.schemasDir)));
console.log(`wrote ${layout.generatedTypesFile}`);

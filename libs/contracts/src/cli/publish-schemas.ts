import { publishSchemas } from '../publish.js';

const result = publishSchemas(process.argv[2]);
if (result.refused.length > 0) {
  console.error(`contracts:publish refused:\n- ${result.refused.join('\n- ')}`);
  process.exit(1);
}
for (const { eventType, version } of result.published) console.log(`published ${eventType} v${version}`);
if (result.published.length === 0) console.log('nothing to publish: every schema is already published');

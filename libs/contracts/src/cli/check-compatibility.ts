import { checkContracts } from '../compatibility.js';

/** `npm run contracts:check [root]`: exit 1 on any incompatible, unpublished or drifted contract. */
const report = checkContracts(process.argv[2]);
const problems = [
  ...report.problems,
  ...report.unpublished.map(
    (s) => `${s.eventType}: schema changed compatibly but is not published: run npm run contracts:publish`,
  ),
];
if (problems.length > 0) {
  console.error(`contracts:check failed with ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
const types = new Set(report.published.map((s) => s.eventType)).size;
console.log(`contracts:check ok: ${types} event types, ${report.published.length} published versions, all compatible`);

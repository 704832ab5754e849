export { sampleRunRequested } from './fixtures.js';

export { sampleRunRequested, runStarted, testEvent, type EnvelopeOverrides } from './fixtures.js';

export * from './runs.api.js';

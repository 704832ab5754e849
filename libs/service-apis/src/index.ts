export * from './runs.api.js';
export * from './schedules.api.js';
export * from './audit.api.js';
export * from './notifications.api.js';
export * from './registry.api.js';
export * from './memory.api.js';
export * from './exports.api.js';

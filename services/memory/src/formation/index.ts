export * from './question.js';
export * from './triples.js';
export * from './run-formation.js';

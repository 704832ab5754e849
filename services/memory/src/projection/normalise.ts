/** A subject as memory compares it (the spec's norm), from the domain. */
export { normaliseText } from '../domain/index.js';

export { startEmbeddedPlatform, type EmbeddedOptions, type EmbeddedPlatform } from './platform.js';

// What composes the memory service elsewhere (the embedded platform). It has no capability yet: the module only boots.
export { MemoryModule } from './memory.module.js';

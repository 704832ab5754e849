// What composes the memory service elsewhere (the embedded platform): its declaration. It has no capability yet.
export { MEMORY_SERVICE } from './memory.service.js';
export { MemoryModule } from './memory.module.js';

// Domain Memory's public routes and the client port they call.
import type { Type } from '@nestjs/common';
import { MemoryController } from './memory.controller.js';
import { MemoryFactsController } from './memory-facts.controller.js';

export { MEMORY_CLIENT, type MemoryClient } from './memory-client.js';

export const MEMORY_CONTROLLERS: Type[] = [MemoryFactsController, MemoryController];

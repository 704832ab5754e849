import type { ServiceClient } from '@evalvault/platform';
import type { MemoryOperations } from '@evalvault/service-apis';

/** The gateway's view of the memory service: HTTP with a signed identity, or in-process when embedded. */
export type MemoryClient = ServiceClient<MemoryOperations>;

export const MEMORY_CLIENT = Symbol('MEMORY_CLIENT');

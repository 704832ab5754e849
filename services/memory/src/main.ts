import 'reflect-metadata';
import { runOwnerService } from '@evalvault/platform';
import { MEMORY_SERVICE } from './memory.service.js';

await runOwnerService(MEMORY_SERVICE, process.env);

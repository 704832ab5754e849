import 'reflect-metadata';
import { runOwnerService } from '@evalvault/platform';
import { REGISTRY_SERVICE } from './registry.service.js';

await runOwnerService(REGISTRY_SERVICE, process.env);

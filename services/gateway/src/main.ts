import 'reflect-metadata';
import { runOwnerService } from '@evalvault/platform';
import { GATEWAY_SERVICE } from './gateway.service.js';

await runOwnerService(GATEWAY_SERVICE, process.env);

import 'reflect-metadata';
import { runOwnerService } from '@evalvault/platform';
import { AUDIT_SERVICE } from './audit.service.js';

await runOwnerService(AUDIT_SERVICE, process.env);

import 'reflect-metadata';
import { runOwnerService } from '@evalvault/platform';
import { NOTIFIER_SERVICE } from './notifier.service.js';

await runOwnerService(NOTIFIER_SERVICE, process.env);

import 'reflect-metadata';
import { runOwnerService } from '@evalvault/platform';
import { RUNS_SERVICE } from './runs.service.js';

await runOwnerService(RUNS_SERVICE, process.env);

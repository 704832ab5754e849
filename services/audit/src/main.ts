import 'reflect-metadata';
import { runService } from '@evalvault/platform';
import { AuditModule } from './audit.module.js';
import { loadConfig } from './config.js';

await runService(AuditModule, loadConfig(process.env));

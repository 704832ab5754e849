import 'reflect-metadata';
import { runService } from '@evalvault/platform';
import { MemoryModule } from './memory.module.js';
import { loadConfig } from './config.js';

await runService(MemoryModule, loadConfig(process.env));

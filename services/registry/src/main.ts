import 'reflect-metadata';
import { runService } from '@evalvault/platform';
import { RegistryModule } from './registry.module.js';
import { loadConfig } from './config.js';

await runService(RegistryModule, loadConfig(process.env));

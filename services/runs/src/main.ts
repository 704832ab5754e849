import 'reflect-metadata';
import { runService } from '@evalvault/platform';
import { RunsModule } from './runs.module.js';
import { loadConfig } from './config.js';

await runService(RunsModule, loadConfig(process.env));

import 'reflect-metadata';
import { runService } from '@evalvault/platform';
import { NotifierModule } from './notifier.module.js';
import { loadConfig } from './config.js';

await runService(NotifierModule, loadConfig(process.env));

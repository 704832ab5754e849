import 'reflect-metadata';
import { runService } from '@evalvault/platform';
import { GatewayModule } from './gateway.module.js';
import { loadConfig } from './config.js';

await runService(GatewayModule, loadConfig(process.env));

import { migrateOwnerService } from '@evalvault/platform';
import { gatewayDatabaseUrl } from './config.js';
import { GATEWAY_SERVICE } from './gateway.service.js';

/**
 * `npm run migrate`: pending migrations of the event store (the gateway appends to it) and the gateway
 * schema, explicitly.
 */
const applied = await migrateOwnerService(GATEWAY_SERVICE, gatewayDatabaseUrl(process.env));
console.log(applied.length > 0 ? `gateway: applied ${applied.join(', ')}` : 'gateway: no pending migrations');

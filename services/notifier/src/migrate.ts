import { migrateOwnerService } from '@evalvault/platform';
import { NOTIFIER_SERVICE } from './notifier.service.js';

/** `npm run migrate`: applies pending migrations of the event store and the notifier schema, explicitly. */
const applied = await migrateOwnerService(NOTIFIER_SERVICE, NOTIFIER_SERVICE.config(process.env).databaseUrl);
console.log(applied.length > 0 ? `notifier: applied ${applied.join(', ')}` : 'notifier: no pending migrations');

import type { ReadModelRebuild } from '@evalvault/platform';
import { NOTIFIER_SCHEMA } from '../migrations/notifier.migrations.js';
import { NOTIFIER_READ_MODEL_CONSUMER, NotifierProjection } from './notifier.projection.js';

/**
 * Routes, the delivery log, open incidents and run subjects rebuilt from the notifier's and the
 * runs' events. Only the projection is replayed, never the dispatcher: a rebuild sends nothing.
 * A notification still pending is due again at once (its backoff and lease are scheduling state).
 */
export const NOTIFIER_READ_MODEL_REBUILD: ReadModelRebuild = {
  name: 'notifier read model',
  schema: NOTIFIER_SCHEMA,
  consumer: NOTIFIER_READ_MODEL_CONSUMER,
  tables: ['run_subjects', 'incidents', 'notifications', 'routes'],
  projection: (dataSource) => new NotifierProjection(dataSource),
};

// What composes the notifier elsewhere (the embedded platform, tests): its declaration, composition and migrations.
export {
  buildNotifier,
  type Notifier,
  type NotifierAdapters,
  type NotifierSettings,
  type NotifierSources,
} from './notifier.composition.js';
export { NOTIFIER_SERVICE } from './notifier.service.js';
export { NotifierModule, TRIGGER_EVENT_TYPES, READ_MODEL_EVENT_TYPES } from './notifier.module.js';
export { DISPATCH, READ_MODEL } from './notifier.consumers.js';
export { NOTIFIER_MIGRATIONS, NOTIFIER_SCHEMA } from './migrations/notifier.migrations.js';
export { notificationsOperationHandlers } from './api/notifications-internal-api.js';
export { KafkaDeadLetterSink, InProcessDeadLetterSink, type DeadLetterSink } from './delivery/dead-letters.js';
export { NOTIFIER_STREAM_PREFIXES } from './notification/notification.ids.js';
export { loadConfig, type NotifierConfig } from './config.js';
export { DEFAULT_PUBLIC_URL, type NotifierPeers } from './dispatch/run-link.js';
export { NOTIFIER_READ_MODEL_REBUILD } from './projection/notifier.rebuild.js';
export { deliveryMetrics } from './delivery/delivery-metrics.js';

import type { Logger } from 'pino';
import { defineOwnerService, meteredSecrets, secretResolver } from '@evalvault/platform';
import type { NotificationsOperations } from '@evalvault/service-apis';
import { loadConfig, type NotifierConfig } from './config.js';
import { KafkaDeadLetterSink, type DeadLetterSink } from './delivery/dead-letters.js';
import { NOTIFIER_STREAM_PREFIXES } from './notification/notification.ids.js';
import { buildNotifier, type Notifier } from './notifier.composition.js';
import { NotifierModule } from './notifier.module.js';
import { NOTIFIER_MIGRATIONS, NOTIFIER_SCHEMA } from './migrations/notifier.migrations.js';
import { publicUrlSource, type NotifierPeers } from './dispatch/run-link.js';

/**
 * The notifier: routes per project, a dispatch group on gate verdicts and failed runs, a
 * read-model group on its own events, and the delivery worker (Jira, PagerDuty, Teams, Slack).
 */
export const NOTIFIER_SERVICE = defineOwnerService<
  NotifierConfig,
  NotificationsOperations,
  Record<never, never>,
  Notifier,
  NotifierPeers | undefined
>({
  name: 'notifier',
  streams: NOTIFIER_STREAM_PREFIXES,
  migrations: [[NOTIFIER_SCHEMA, NOTIFIER_MIGRATIONS]],
  config: loadConfig,
  async compose(config, adapters, peers) {
    const { logger } = adapters;
    if (config.egressAllow.length === 0)
      logger.warn('EVALVAULT_EGRESS_ALLOW is empty: every destination will be refused');
    const deadLetters = adapters.kafka ? new KafkaDeadLetterSink(adapters.kafka) : loggedDeadLetters(logger);
    const notifier = buildNotifier(
      {
        dataSource: adapters.dataSource,
        store: adapters.store,
        deadLetters,
        secrets: meteredSecrets(secretResolver(), adapters.registry),
        logger,
        registry: adapters.registry,
        serverFor: (groupId, transportId, fromBeginning) => adapters.eventServer(groupId, transportId, fromBeginning),
      },
      { ...config, publicUrl: publicUrlSource(config.publicUrl, peers) },
    );
    return {
      module: NotifierModule.with(notifier),
      consumers: notifier.consumers,
      internalApi: { operations: notifier.operations },
      readiness: [notifier.worker.readiness],
      start: () => notifier.worker.start(),
      async close() {
        await notifier.worker.stop();
        await deadLetters.close();
      },
      exports: notifier,
    };
  },
});

/** Without a broker, a notification that exhausted its attempts is a NotificationFailed event and an error line. */
function loggedDeadLetters(logger: Logger): DeadLetterSink {
  return {
    send: async (intent, error, attempts) => {
      logger.error(
        { eventId: intent.eventId, streamId: intent.streamId, type: intent.type, error, attempts },
        'notification dead-lettered',
      );
    },
    close: async () => undefined,
  };
}

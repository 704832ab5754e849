import { logLevel } from 'kafkajs';
import { awaitCluster, createKafka, ensureTopics, loadKafkaSettings } from '@evalvault/platform';

/** Used by kafka.sh: wait for the broker through the admin client, then create the declared topics. */
const settings = loadKafkaSettings(process.env, 'evalvault-infra');
const admin = createKafka(settings, { retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
const timeoutMs = Number(process.env['KAFKA_READY_TIMEOUT_MS'] ?? 120_000);
try {
  const cluster = await awaitCluster(admin, timeoutMs);
  const created = await ensureTopics(admin);
  console.error(
    `[kafka] ready at ${settings.brokers.join(',')}: ${cluster.brokers} broker(s); created ${created.length} topic(s)`,
  );
} catch (error) {
  console.error(`[kafka] ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect();
}

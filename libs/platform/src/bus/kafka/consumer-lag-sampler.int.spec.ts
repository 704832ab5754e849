import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { topicOf } from '@evalvault/contracts';
import { createKafka } from '../../kafka/kafka-config.js';
import { registryValue } from '../../testing/metric-samples.js';
import { testKafkaSettings } from '../../testing/test-servers.js';
import { busMetrics } from '../bus-metrics.js';
import { ConsumerLagSampler } from './consumer-lag-sampler.js';

/** A group that consumes nothing (a stalled consumer): its lag comes from the broker, not from batches. */
describe('consumer lag sampler', () => {
  const kafka = createKafka(testKafkaSettings('lag-sampler'));
  const admin = kafka.admin();
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('reports end of partition minus the committed offset for every partition a group committed on', async () => {
    const topic = topicOf('RunStarted');
    const ends = await admin.fetchTopicOffsets(topic);
    const groupId = `lag-${randomUUID()}`;
    // Committed 0 everywhere: the group is behind by everything written to the topic since its start.
    await admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition }) => ({ partition, offset: '0' })) });
    const registry = new Registry();
    const sampler = new ConsumerLagSampler(admin, () => [groupId], busMetrics(registry), pino({ level: 'silent' }));
    await sampler.sampleOnce();
    const after = await admin.fetchTopicOffsets(topic);
    for (const { partition, high } of ends) {
      const lag = await registryValue(registry, 'consumer_lag', {
        group: groupId,
        topic,
        partition: String(partition),
      });
      const endAfter = Number(after.find((end) => end.partition === partition)!.high);
      // Other tests may write meanwhile: between the end before and the end after the sample.
      expect(lag).toBeGreaterThanOrEqual(Number(high));
      expect(lag).toBeLessThanOrEqual(endAfter);
    }
    await admin.deleteGroups([groupId]);
  });
});

import { pino } from 'pino';
import { Registry } from 'prom-client';
import { deadLetterTopic } from '@evalvault/contracts';
import { busMetrics } from '../bus-metrics.js';
import { busContract } from '../testing/bus.contract.js';
import { InProcessBroker } from './in-process-broker.js';
import { InProcessEventClient } from './in-process-event-client.js';
import { InProcessEventServer } from './in-process-event-server.js';

busContract('in-process', async () => {
  const broker = new InProcessBroker();
  const registry = new Registry();
  const metrics = busMetrics(registry);
  const client = new InProcessEventClient(broker, metrics);
  return {
    registry,
    reportsConsumerLag: false,
    publishBatch: (events) => client.publishBatch(events),
    createServer: (groupId, policy) =>
      new InProcessEventServer({
        broker,
        groupId,
        policy,
        metrics,
        logger: pino({ level: 'silent' }),
        fromBeginning: false,
      }),
    produceRaw: async (topic, key, value, headers) => {
      broker.produce(topic, { key, value, headers });
    },
    deadLetters: async (topic, key) => broker.messages(deadLetterTopic(topic)).filter((message) => message.key === key),
    close: async () => undefined,
  };
});

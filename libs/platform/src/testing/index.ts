export { deciderSpec, type Decider } from './decider-spec.js';
export { OwnBroker } from './own-broker.js';
export { OwnPostgres } from './own-postgres.js';
export { TopicReader } from './topic-reader.js';
export {
  migrateTestDatabase,
  startRunsProcess,
  startServiceProcess,
  stopRunsProcess,
  type RunsProcess,
} from './service-processes.js';
export { testDatabaseUrl, testKafkaSettings } from './test-servers.js';
export { parseMetricSamples, registryValue, sampleValue, type MetricSample } from './metric-samples.js';

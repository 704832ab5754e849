export { deciderSpec, type Decider } from './decider-spec.js';
export { OwnBroker } from './own-broker.js';
export {
  migrateTestDatabase,
  startRunsProcess,
  startServiceProcess,
  stopRunsProcess,
  type RunsProcess,
} from './service-processes.js';
export { testDatabaseUrl, testKafkaSettings } from './test-servers.js';

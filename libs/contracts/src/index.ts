export * from './generated/events.js';
export { ContractError, ContractErrorCode } from './errors.js';
export { EventCodec, MESSAGE_FRAMINGS, type MessageFraming } from './codec.js';
export { CONFLUENT_MAGIC_BYTE, confluentSchemaId } from './avro/confluent-wire.js';
export {
  ConfluentRegistryView,
  confluentSubject,
  type ConfluentError,
  type RegistryAnswer,
  type SubjectVersion,
} from './confluent-registry.js';
export { SchemaCatalog } from './catalog.js';
export type { PublishedSchema } from './published-store.js';
export { crc64Avro, fingerprintHex, toSignedInt64 } from './avro/crc64-avro.js';
export { parsingCanonicalForm, schemaFingerprint } from './avro/canonical-form.js';
export { SINGLE_OBJECT_MARKER } from './avro/single-object.js';
export {
  TOPICS,
  EVENT_TOPIC,
  topicOf,
  deadLetterTopic,
  declaredTopics,
  type TopicSpec,
  type TopicKey,
  type TopicName,
} from './topics.js';
export { caseEvaluatedPayload, evaluatedCases } from './evaluated-cases.js';

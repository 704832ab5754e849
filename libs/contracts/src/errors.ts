export enum ContractErrorCode {
  NotSingleObject = 'NOT_SINGLE_OBJECT',
  UnknownFingerprint = 'UNKNOWN_FINGERPRINT',
  UnknownEventType = 'UNKNOWN_EVENT_TYPE',
  InvalidEvent = 'INVALID_EVENT',
  CorruptBody = 'CORRUPT_BODY',
  SchemaFile = 'SCHEMA_FILE',
  NotConfluentFramed = 'NOT_CONFLUENT_FRAMED',
  UnknownSchemaId = 'UNKNOWN_SCHEMA_ID',
  SchemaIdCollision = 'SCHEMA_ID_COLLISION',
}

/** Every failure of the contracts library carries a code a caller can branch on. */
export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

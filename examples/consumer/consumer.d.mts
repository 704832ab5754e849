/** Types of consumer.mjs, for TypeScript callers (the example itself is plain JavaScript). */
export interface DecodedEvent {
  eventId: string;
  type: string;
  occurredAt: number;
  tenantId: string;
  projectId: string;
  streamId: string;
  payload: Record<string, unknown>;
}

export declare class PublishedSchemas {
  constructor(dir?: string);
  decode(value: Buffer): DecodedEvent;
}

export declare class ProcessedEvents {
  constructor(file?: string | null);
  has(eventId: string): boolean;
  add(eventId: string): void;
}

export declare function startConsumer(options: {
  brokers: string[];
  groupId: string;
  topic?: string;
  schemasDir?: string;
  stateFile?: string | null;
  fromBeginning?: boolean;
  handle: (event: DecodedEvent) => Promise<void>;
}): Promise<{ stop(): Promise<void> }>;

export declare function describe(event: DecodedEvent): string | null;

// An example downstream consumer of EvalVault's event stream: its own consumer group on
// evalvault.runs.v1, Avro single-object decoding with the published schemas only (no EvalVault code),
// and idempotent handling by event id (delivery is at least once). Plain JavaScript on kafkajs and avsc.
//
//   node examples/consumer/consumer.mjs --brokers 127.0.0.1:9092 --group my-team --state ./processed.jsonl
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';

const DEFAULT_SCHEMAS = join(import.meta.dirname, '..', '..', 'libs', 'contracts', 'published');

/**
 * The published schemas (`published/manifest.json`: type → version → fingerprint, and
 * `published/<Type>/v<N>.avsc`), as a decoder of single-object encoded values: `C3 01`, the writer
 * schema's 8-byte little-endian CRC-64-AVRO fingerprint, the Avro body. Each value is read into the
 * newest version of its type (Avro schema resolution fills fields an older writer did not have).
 */
export class PublishedSchemas {
  constructor(dir = DEFAULT_SCHEMAS) {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    this.writers = new Map(); // fingerprint hex → { type, version, avroType }
    this.readers = new Map(); // event type → avro type of its newest version
    this.resolvers = new Map();
    for (const [type, versions] of Object.entries(manifest)) {
      const newest = Math.max(...Object.keys(versions).map(Number));
      for (const [version, fingerprint] of Object.entries(versions)) {
        const schema = JSON.parse(readFileSync(join(dir, type, `v${version}.avsc`), 'utf8'));
        const avroType = avro.Type.forSchema(schema);
        this.writers.set(fingerprint, { type, version: Number(version), avroType });
        if (Number(version) === newest) this.readers.set(type, avroType);
      }
    }
  }

  decode(value) {
    if (value.length < 10 || value[0] !== 0xc3 || value[1] !== 0x01)
      throw new Error('not an Avro single-object encoded value (no C3 01 marker)');
    const fingerprint = value.readBigUInt64LE(2).toString(16).padStart(16, '0');
    const writer = this.writers.get(fingerprint);
    // A newer producer than these schemas: fetch the new published files, never guess.
    if (!writer) throw new Error(`unknown schema fingerprint ${fingerprint}: update the published schemas`);
    const reader = this.readers.get(writer.type);
    const key = `${fingerprint}>${writer.type}`;
    if (!this.resolvers.has(key)) this.resolvers.set(key, reader.createResolver(writer.avroType));
    return reader.fromBuffer(value.subarray(10), this.resolvers.get(key));
  }
}

/** Event ids already handled, kept in a file (one JSON line each) so a restart skips them too. */
export class ProcessedEvents {
  constructor(file) {
    this.file = file;
    this.ids = new Set(
      file && existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line).eventId)
        : [],
    );
  }

  has(eventId) {
    return this.ids.has(eventId);
  }

  add(eventId) {
    this.ids.add(eventId);
    if (this.file) appendFileSync(this.file, `${JSON.stringify({ eventId })}\n`);
  }
}

/**
 * Consumes `topic` in consumer group `groupId`; `handle(event)` is called once per event id, after
 * which the id is recorded (handle first, record second: a crash between them handles it again,
 * which at-least-once consumers must tolerate anyway). Offsets are committed by kafkajs after each batch.
 */
export async function startConsumer({
  brokers,
  groupId,
  topic = 'evalvault.runs.v1',
  schemasDir,
  stateFile,
  fromBeginning = false,
  handle,
}) {
  const schemas = new PublishedSchemas(schemasDir);
  const processed = new ProcessedEvents(stateFile);
  const kafka = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = schemas.decode(message.value);
      if (processed.has(event.eventId)) return; // redelivered, or a producer retry: handled already
      await handle(event);
      processed.add(event.eventId);
    },
  });
  await joined;
  return { stop: () => consumer.disconnect() };
}

/** What this example does with an event: one line per run outcome and per drift. */
export function describe(event) {
  const p = event.payload;
  switch (event.type) {
    case 'RunCompleted':
      return `run ${p.runId} completed: ${p.aggregates.map((a) => `${a.metric} ${a.mean.toFixed(3)}`).join(', ')}`;
    case 'RunFailed':
      return `run ${p.runId} failed: ${p.reason}`;
    case 'DriftDetected':
      return (
        `schedule ${p.scheduleId}: ${p.metric} drifted to ${p.current.toFixed(3)} ` +
        `(baseline ${p.baseline.toFixed(3)})`
      );
    case 'DriftResolved':
      return `schedule ${p.scheduleId}: ${p.metric} recovered (${p.current.toFixed(3)})`;
    default:
      return null;
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: '127.0.0.1:9092' },
      group: { type: 'string', default: 'example-downstream-team' },
      topic: { type: 'string', default: 'evalvault.runs.v1' },
      schemas: { type: 'string', default: DEFAULT_SCHEMAS },
      state: { type: 'string', default: 'processed-events.jsonl' },
      'from-beginning': { type: 'boolean', default: false },
    },
  });
  const { stop } = await startConsumer({
    brokers: values.brokers.split(','),
    groupId: values.group,
    topic: values.topic,
    schemasDir: values.schemas,
    stateFile: values.state,
    fromBeginning: values['from-beginning'],
    handle: async (event) => {
      const line = describe(event);
      if (line) console.log(`${new Date(event.occurredAt).toISOString()} ${event.projectId} ${line}`);
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void stop().then(() => process.exit(0)));
}

import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import {
  ContractError,
  ContractErrorCode,
  EventCodec,
  SchemaCatalog,
  topicOf,
  type EvalVaultEvent,
} from '@evalvault/contracts';
import { createKafka } from '@evalvault/platform';
import { sampleRunRequested } from '@evalvault/contracts/testing';
import { testKafkaSettings } from '@evalvault/platform/testing';

/**
 * Proof that the contracts work on the real broker: an Avro single-object RunRequested
 * goes through Kafka and comes back equal in another consumer group, and a message
 * with an unknown fingerprint is rejected with an error naming that fingerprint.
 */
describe('Avro events on the real Kafka broker', () => {
  const codec = new EventCodec();
  let kafka: Kafka;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    kafka = createKafka(testKafkaSettings('contracts-round-trip'));
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    await producer.disconnect();
  });

  /** Consumes the topic from the start in a fresh group until `count` messages with our key arrive. */
  async function consumeFromNewGroup(topic: string, key: string, count: number): Promise<Buffer[]> {
    const consumer = kafka.consumer({ groupId: `round-trip-${randomUUID()}` });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return new Promise<Buffer[]>((resolve, reject) => {
      const received: Buffer[] = [];
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${count} message(s) keyed ${key}`)),
        // A fresh broker's group coordinator can take tens of seconds to load (CI starts one).
        90_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== key || !message.value) return;
          received.push(message.value);
          if (received.length === count) {
            clearTimeout(timer);
            resolve(received);
          }
        },
      });
    });
  }

  it('publishes an Avro RunRequested and decodes it equal in another consumer group', async () => {
    const event = sampleRunRequested();
    const topic = topicOf(event.type);
    await producer.send({ topic, messages: [{ key: event.streamId, value: codec.encode(event) }] });

    const [message] = await consumeFromNewGroup(topic, event.streamId, 1);
    expect(message!.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    const decoded: EvalVaultEvent = codec.decode(message!);
    // Encoding stamps the newest published version of the type on the envelope.
    expect(decoded).toEqual({ ...event, schemaVersion: SchemaCatalog.load().latest('RunRequested').version });
    console.log(`round trip on the real broker: ${event.type} ${event.eventId} via ${topic}, ${message!.length} bytes`);
  }, 150_000);

  it('rejects a message with an unknown fingerprint with an error naming it', async () => {
    const key = `run-${randomUUID()}`;
    const forged = Buffer.from(codec.encode(sampleRunRequested({ streamId: key })));
    forged.writeBigUInt64LE(0xdeadbeefcafef00dn, 2);
    await producer.send({ topic: topicOf('RunRequested'), messages: [{ key, value: forged }] });

    const [message] = await consumeFromNewGroup(topicOf('RunRequested'), key, 1);
    let failure: unknown;
    try {
      codec.decode(message!);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ContractError);
    expect((failure as ContractError).code).toBe(ContractErrorCode.UnknownFingerprint);
    expect((failure as ContractError).message).toContain('deadbeefcafef00d');
  }, 150_000);
});

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACTS_ROOT } from './paths.js';
import { EventCodec } from './codec.js';
import { SchemaCatalog } from './catalog.js';
import { ContractError, ContractErrorCode } from './errors.js';
import { fingerprintBytesLE } from './avro/crc64-avro.js';
import { publishSchemas } from './publish.js';
import { sampleRunRequested } from './testing/fixtures.js';

function codeOf(fn: () => unknown): ContractErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractError) return error.code;
    throw error;
  }
  return undefined;
}

describe('EventCodec', () => {
  const codec = new EventCodec();

  it('shares one parsed catalog of the shipped schemas across codecs', () => {
    expect(SchemaCatalog.shared()).toBe(SchemaCatalog.shared());
    expect(SchemaCatalog.shared()).not.toBe(SchemaCatalog.load());
  });

  it('round-trips an event through Avro single-object encoding', () => {
    const event = sampleRunRequested();
    const message = codec.encode(event);
    expect(message.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    const latest = SchemaCatalog.load().latest('RunRequested');
    expect(message.readBigUInt64LE(2)).toBe(latest.fingerprint);
    expect(codec.decode(message)).toEqual({ ...event, schemaVersion: latest.version });
  });

  it('rejects an unknown fingerprint with an error naming it', () => {
    const message = Buffer.concat([
      Buffer.from([0xc3, 0x01]),
      fingerprintBytesLE(0x0123456789abcdefn),
      Buffer.from([0]),
    ]);
    expect(() => codec.decode(message)).toThrow(/unknown schema fingerprint 0123456789abcdef/);
    expect(codeOf(() => codec.decode(message))).toBe(ContractErrorCode.UnknownFingerprint);
  });

  it('rejects a message without the single-object marker', () => {
    expect(codeOf(() => codec.decode(Buffer.from('{"type":"RunRequested"}')))).toBe(ContractErrorCode.NotSingleObject);
    expect(codeOf(() => codec.decode(Buffer.alloc(0)))).toBe(ContractErrorCode.NotSingleObject);
  });

  it('rejects a truncated body with the type and version it was meant to be', () => {
    const message = codec.encode(sampleRunRequested());
    expect(() => codec.decode(message.subarray(0, message.length - 5))).toThrow(/corrupt RunRequested v\d+ body/);
  });

  it('refuses to encode wrong types and unknown fields, naming the field', () => {
    const wrongType = { ...sampleRunRequested(), occurredAt: 'yesterday' } as never;
    expect(() => codec.encode(wrongType)).toThrow(/occurredAt/);
    const unknownField = { ...sampleRunRequested(), colour: 'blue' } as never;
    expect(codeOf(() => codec.encode(unknownField))).toBe(ContractErrorCode.InvalidEvent);
    const unknownType = { ...sampleRunRequested(), type: 'RunExploded' } as never;
    expect(codeOf(() => codec.encode(unknownType))).toBe(ContractErrorCode.UnknownEventType);
  });

  it('decodes messages written with an older published version into the newest', () => {
    const root = mkdtempSync(join(tmpdir(), 'contracts-'));
    for (const dir of ['schemas', 'published', 'src'])
      cpSync(join(CONTRACTS_ROOT, dir), join(root, dir), { recursive: true });
    const oldCodec = new EventCodec(SchemaCatalog.load(join(root, 'published')));
    const oldVersion = SchemaCatalog.load(join(root, 'published')).latest('RunRequested').version;
    const event = sampleRunRequested();
    const v1Message = oldCodec.encode(event);

    const schemaFile = join(root, 'schemas', 'events', 'RunStarted.avsc');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { fields: unknown[] };
    schema.fields.push({ name: 'workerId', type: ['null', 'string'], default: null });
    writeFileSync(schemaFile, JSON.stringify(schema));
    const runRequestedFile = join(root, 'schemas', 'events', 'RunRequested.avsc');
    const runRequested = JSON.parse(readFileSync(runRequestedFile, 'utf8')) as { fields: unknown[] };
    runRequested.fields.push({ name: 'priority', type: 'int', default: 5 });
    writeFileSync(runRequestedFile, JSON.stringify(runRequested));
    expect(publishSchemas(root).published).toEqual([
      { eventType: 'RunRequested', version: oldVersion + 1 },
      { eventType: 'RunStarted', version: 2 },
    ]);

    const newCodec = new EventCodec(SchemaCatalog.load(join(root, 'published')));
    const decoded = newCodec.decode(v1Message) as unknown as { schemaVersion: number; payload: { priority: number } };
    expect(decoded.schemaVersion).toBe(oldVersion);
    expect(decoded.payload.priority).toBe(5);
    const v2Message = newCodec.encode({ ...event, payload: { ...event.payload, priority: 9 } } as never);
    expect(v2Message.readBigUInt64LE(2)).not.toBe(v1Message.readBigUInt64LE(2));
    expect(newCodec.decode(v2Message).schemaVersion).toBe(oldVersion + 1);
  });
});

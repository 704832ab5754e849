import { SchemaCatalog } from './catalog.js';
import { EventCodec } from './codec.js';
import { ConfluentRegistryView } from './confluent-registry.js';
import { ContractError, ContractErrorCode } from './errors.js';
import { readManifest } from './published-store.js';
import { contractsLayout } from './paths.js';
import { sampleRunRequested } from './testing/fixtures.js';

const catalog = SchemaCatalog.shared();
const view = new ConfluentRegistryView(catalog);
const RUN_STARTED = 'dev.evalvault.contracts.RunStarted';
const GATE_FAILED = 'dev.evalvault.contracts.GateFailed';

function codeOf(fn: () => unknown): ContractErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractError) return error.code;
    throw error;
  }
  return undefined;
}

describe('Confluent schema ids', () => {
  it('are the low 31 bits of the fingerprints manifest.json records, pinned so they never change', () => {
    const manifest = readManifest(contractsLayout().publishedDir);
    for (const schema of catalog.all()) {
      const recorded = BigInt(`0x${manifest[schema.eventType]![String(schema.version)]!}`);
      expect(catalog.schemaId(schema)).toBe(Number(recorded & 0x7fffffffn));
    }
    expect(view.version(RUN_STARTED, '1').body).toMatchObject({ id: 236208012 });
    expect(view.version(GATE_FAILED, '3').body).toMatchObject({ id: 2126809636 });
  });

  it('refuses a catalog where two schemas would share an id', () => {
    const [first, second] = catalog.all();
    const clash = { ...second!, fingerprint: first!.fingerprint + (1n << 40n) };
    expect(codeOf(() => new SchemaCatalog([first!, clash]))).toBe(ContractErrorCode.SchemaIdCollision);
  });
});

describe('EventCodec in Confluent framing', () => {
  const codec = new EventCodec(catalog);

  it('re-frames a single-object message as magic byte 0 + big-endian id + the same Avro body', () => {
    const event = sampleRunRequested();
    const single = codec.encode(event);
    const confluent = codec.frame(single, 'confluent');
    expect(confluent[0]).toBe(0);
    expect(confluent.readInt32BE(1)).toBe(catalog.schemaId(catalog.latest('RunRequested')));
    expect(confluent.subarray(5)).toEqual(single.subarray(10));
    expect(codec.frame(single, 'single-object')).toBe(single);
    expect(codec.decode(confluent)).toEqual(codec.decode(single));
  });

  it('rejects an unknown schema id with an error naming it', () => {
    const message = Buffer.from([0, 0, 0, 0, 7, 2]);
    expect(() => codec.decode(message)).toThrow(/unknown Confluent schema id 7/);
    expect(codeOf(() => codec.decode(message))).toBe(ContractErrorCode.UnknownSchemaId);
    expect(codeOf(() => codec.decode(Buffer.from([0, 1])))).toBe(ContractErrorCode.NotConfluentFramed);
  });
});

describe('ConfluentRegistryView', () => {
  it('lists one subject per event type, named by RecordNameStrategy, with its published versions', () => {
    const subjects = view.subjects().body as string[];
    expect(subjects).toHaveLength(catalog.eventTypes().length);
    expect(subjects).toContain(RUN_STARTED);
    expect(view.versions(GATE_FAILED)).toEqual({ status: 200, body: [1, 2, 3] });
  });

  it('answers a version, latest and -1 with subject, version, id and the schema as a string', () => {
    const latest = view.version(GATE_FAILED, 'latest');
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ subject: GATE_FAILED, version: 3 });
    expect(view.version(GATE_FAILED, '-1')).toEqual(latest);
    const second = view.version(GATE_FAILED, '2').body as { id: number; schema: string };
    expect(JSON.parse(second.schema)).toMatchObject({ name: GATE_FAILED, type: 'record' });
    expect(view.schemaById(String(second.id))).toEqual({ status: 200, body: { schema: second.schema } });
  });

  it.each([
    ['an unknown subject', () => view.versions('nope'), 404, 40401],
    ['an unknown subject version', () => view.version('nope', '1'), 404, 40401],
    ['a version that does not exist', () => view.version(GATE_FAILED, '9'), 404, 40402],
    ['a version that is not a number', () => view.version(GATE_FAILED, 'two'), 422, 42202],
    ['version 0', () => view.version(GATE_FAILED, '0'), 422, 42202],
    ['an unknown schema id', () => view.schemaById('7'), 404, 40403],
    ['a schema id that is not a number', () => view.schemaById('x'), 404, 40403],
  ])('answers %s with Confluent error body', (_case, answer, status, errorCode) => {
    const { status: actual, body } = answer();
    expect(actual).toBe(status);
    expect(body).toEqual({ error_code: errorCode, message: expect.any(String) });
  });
});

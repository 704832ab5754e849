import { decodeCasesCursor, decodeRunsCursor, encodeCasesCursor, encodeRunsCursor, pageSize } from './cursor.js';
import { datasetKeyOf, datasetKeysOf } from './dataset-key.js';

describe('read-model cursors', () => {
  it('round-trip positions as opaque base64url', () => {
    const position = { requestedAt: '2026-11-26T09:00:00.123Z', runId: "id-with-'quotes'" };
    const cursor = encodeRunsCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeRunsCursor(cursor)).toEqual(position);
    expect(decodeCasesCursor(encodeCasesCursor(41))).toBe(41);
  });

  it.each([
    ['not base64url', 'a b'],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['a JSON array', Buffer.from('[1]').toString('base64url')],
    ['a cases cursor', encodeCasesCursor(1)],
    ['an unparseable time', Buffer.from('{"k":"runs","at":"2026-13-45T99:00:00.000Z","id":"x"}').toString('base64url')],
    ['empty', ''],
  ])('rejects %s as INVALID_CURSOR', (_what, cursor) => {
    expect(() => decodeRunsCursor(cursor)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
  });

  it('rejects a negative or fractional case position', () => {
    for (const after of [-1, 1.5, '3']) {
      const cursor = Buffer.from(JSON.stringify({ k: 'cases', after })).toString('base64url');
      expect(() => decodeCasesCursor(cursor)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
    }
  });

  it('defaults and caps page sizes', () => {
    expect(pageSize(undefined, 20, 100)).toBe(20);
    expect(pageSize(500, 20, 100)).toBe(100);
    expect(() => pageSize(0, 20, 100)).toThrow(expect.objectContaining({ code: 'INVALID_LIMIT' }));
  });

  it('keys registered datasets by id and inline ones by name', () => {
    expect(datasetKeyOf({ id: 'ds-1', name: 'qa', version: 2, contentHash: 'h' })).toBe('ds-1');
    expect(datasetKeyOf({ id: 'inline-1', name: 'qa', version: null, contentHash: 'h' })).toBe('name:qa');
    expect(datasetKeyOf({ id: 'inline-2', name: null, version: null, contentHash: 'h' })).toBe('inline-2');
  });

  it('filters a plain dataset word as the key and as the inline dataset of that name', () => {
    expect(datasetKeysOf('rag-qa')).toEqual(['rag-qa', 'name:rag-qa']);
    expect(datasetKeysOf('name:rag-qa')).toEqual(['name:rag-qa']);
  });
});

import { InvalidCursorError, keysetCursor, pageSizeOf } from './keyset-cursor.js';

const runs = keysetCursor('runs', { at: 'instant', id: 'string' });
const cases = keysetCursor('cases', { after: 'natural' });
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('keyset cursors', () => {
  it('round-trips what it encoded', () => {
    const value = { at: '2026-01-02T03:04:05.006Z', id: 'run-1' };
    expect(runs.decode(runs.encode(value))).toEqual(value);
    expect(cases.decode(cases.encode({ after: 41 }))).toEqual({ after: 41 });
  });

  it.each([
    ['another listing’s cursor', cases.encode({ after: 3 })],
    ['not base64url', 'abc!'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['an array', b64(['runs', 'x'])],
    ['a wrong field type', b64({ k: 'runs', at: 5, id: 'x' })],
    ['a time that is not ISO with milliseconds', b64({ k: 'runs', at: '2026-01-02', id: 'x' })],
    ['too long', 'A'.repeat(2000)],
  ])('refuses %s', (_what, cursor) => {
    expect(() => runs.decode(cursor)).toThrow(InvalidCursorError);
  });

  it('refuses negative or fractional positions', () => {
    expect(() => cases.decode(b64({ k: 'cases', after: -1 }))).toThrow(InvalidCursorError);
    expect(() => cases.decode(b64({ k: 'cases', after: 1.5 }))).toThrow(InvalidCursorError);
  });

  it('defaults and caps page sizes, and flags nonsense', () => {
    expect(pageSizeOf(undefined, 50, 200)).toBe(50);
    expect(pageSizeOf(500, 50, 200)).toBe(200);
    expect(pageSizeOf(0, 50, 200)).toBeNull();
    expect(pageSizeOf(2.5, 50, 200)).toBeNull();
  });
});

import { canonicalJson, chainHash, GENESIS_HASH } from './canonical.js';

describe('canonical form', () => {
  it('is one text per value, whatever order the keys were built in', () => {
    const a = { b: 1, a: { y: [3, { q: null, p: 'x' }], x: true } };
    const b = { a: { x: true, y: [3, { p: 'x', q: null }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":true,"y":[3,{"p":"x","q":null}]},"b":1}');
  });

  it('keeps array order and drops undefined properties', () => {
    expect(canonicalJson({ list: [2, 1], gone: undefined })).toBe('{"list":[2,1]}');
  });

  it('refuses values JSON cannot carry instead of writing null', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/no form/);
    expect(() => canonicalJson({ n: Infinity })).toThrow(/no form/);
  });
});

describe('hash chain', () => {
  it('covers the previous hash and the entry, and nothing else', () => {
    const first = chainHash(GENESIS_HASH, '{"a":1}');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, '{"a":1}')).toBe(first);
    expect(chainHash(GENESIS_HASH, '{"a":2}')).not.toBe(first);
    expect(chainHash(first, '{"a":1}')).not.toBe(first);
  });

  it('separates the previous hash from the entry (no shifting bytes across the boundary)', () => {
    expect(chainHash('ab', 'c')).not.toBe(chainHash('a', 'bc'));
  });
});

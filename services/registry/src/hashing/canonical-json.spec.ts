import { canonicalJson, hashOfCanonical } from './canonical-json.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('gives equal content one text however it was written', () => {
    const written = JSON.parse('{ "model": "gpt", "temperature": 0.10, "stop": ["\\u0041"], "max": 1e2 }') as unknown;
    const other = { stop: ['A'], max: 100, temperature: 0.1, model: 'gpt' };
    expect(canonicalJson(written)).toBe(canonicalJson(other));
    expect(hashOfCanonical(written)).toBe(hashOfCanonical(other));
    expect(hashOfCanonical(written)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells different content apart, array order included', () => {
    expect(hashOfCanonical({ a: [1, 2] })).not.toBe(hashOfCanonical({ a: [2, 1] }));
    expect(hashOfCanonical({ a: '1' })).not.toBe(hashOfCanonical({ a: 1 }));
  });

  it('prints numbers in their shortest form and -0 as 0', () => {
    expect(canonicalJson([1.5, -0, 1e21, 0.000001])).toBe('[1.5,0,1e+21,0.000001]');
  });

  it('sorts keys by code unit, as RFC 8785 does', () => {
    expect(canonicalJson({ b: 1, B: 2, é: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"é":3}');
  });

  it('refuses values JSON cannot carry rather than dropping them', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(TypeError);
    expect(() => canonicalJson([Number.NaN])).toThrow(TypeError);
    expect(() => canonicalJson({ at: new Date(0) })).toThrow(/Date/);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });
});

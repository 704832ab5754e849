import { parseJsonObject } from './judge-reply.js';

describe('parseJsonObject', () => {
  it('reads a plain JSON object', () => {
    expect(parseJsonObject('{"claims": ["a"]}')).toEqual({ claims: ['a'] });
  });

  it('tolerates a code fence or a sentence around the object', () => {
    expect(parseJsonObject('```json\n{"verdict": 1}\n```')).toEqual({ verdict: 1 });
    expect(parseJsonObject('Here you go: {"verdict": 0} Hope this helps.')).toEqual({ verdict: 0 });
  });

  it('rejects anything that is not one JSON object', () => {
    expect(parseJsonObject('Sure! The claims are: Paris is in France.')).toBeUndefined();
    expect(parseJsonObject('[{"verdict": 1}]')).toBeUndefined();
    expect(parseJsonObject('{"verdict": 1')).toBeUndefined();
    expect(parseJsonObject('')).toBeUndefined();
  });
});

import { squadNormalise, squadTokens } from './squad-normalise.js';

// Each expectation is what normalize_answer / get_tokens of SQuAD's evaluate-v2.0.py return.
describe('squadNormalise (the SQuAD 2.0 script)', () => {
  it('lowercases, deletes ASCII punctuation, drops a/an/the and collapses whitespace', () => {
    expect(squadNormalise('  The  Eiffel Tower!  ')).toBe('eiffel tower');
    expect(squadNormalise('An apple, a day')).toBe('apple day');
    expect(squadNormalise("Don't")).toBe('dont');
    expect(squadNormalise('state-of-the-art')).toBe('stateoftheart');
  });

  it('keeps punctuation beyond ASCII, as the script does', () => {
    expect(squadNormalise('Don’t — “quoted”')).toBe('don’t — “quoted”');
  });

  it('drops articles only as whole words, Unicode letters included', () => {
    expect(squadNormalise('Theatre anatomy Athena')).toBe('theatre anatomy athena');
    expect(squadNormalise('the théâtre')).toBe('théâtre');
    expect(squadNormalise('thé a')).toBe('thé');
  });

  it("splits on Python's whitespace (a no-break space too)", () => {
    expect(squadTokens('New\u00a0York\tCity')).toEqual(['new', 'york', 'city']);
    expect(squadTokens('')).toEqual([]);
    expect(squadTokens('The')).toEqual([]);
  });
});

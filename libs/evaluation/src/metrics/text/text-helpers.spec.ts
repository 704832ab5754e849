import { contentTokens, coverageOf } from './content-tokens.js';
import { clippedOverlap, countItems, ngrams } from './ngrams.js';
import { answerTokens, normaliseAnswer } from './normalise.js';
import { splitSentences } from './sentences.js';

describe('normaliseAnswer (SQuAD)', () => {
  it('lowercases, deletes punctuation, drops articles and collapses whitespace', () => {
    expect(normaliseAnswer('  The  Eiffel Tower!  ')).toBe('eiffel tower');
    expect(normaliseAnswer('An apple, a day')).toBe('apple day');
  });

  it('deletes punctuation inside words, as SQuAD does, including typographic quotes', () => {
    expect(normaliseAnswer("Don't")).toBe('dont');
    expect(normaliseAnswer('don’t — “quoted”')).toBe('dont quoted');
    expect(normaliseAnswer('3.5%')).toBe('35');
  });

  it('drops articles only as whole words, also next to non-ASCII letters', () => {
    expect(normaliseAnswer('Theatre anatomy Athena')).toBe('theatre anatomy athena');
    expect(normaliseAnswer('the théâtre')).toBe('théâtre');
  });

  it('leaves nothing of an empty or punctuation-only text', () => {
    expect(answerTokens('')).toEqual([]);
    expect(answerTokens('?!...')).toEqual([]);
    expect(answerTokens('The')).toEqual([]);
  });
});

describe('splitSentences', () => {
  it('splits after . ! ? and at line breaks, keeping decimals whole', () => {
    expect(splitSentences('Pi is 3.14. Is it? Yes!\nNew line')).toEqual(['Pi is 3.14.', 'Is it?', 'Yes!', 'New line']);
  });

  it('drops fragments without a letter or digit', () => {
    expect(splitSentences('- \n...\n  ')).toEqual([]);
  });
});

describe('contentTokens', () => {
  it('removes stopwords', () => {
    // "paris is capital of france" without "is" and "of"
    expect(contentTokens('Paris is the capital of France.')).toEqual(['paris', 'capital', 'france']);
  });

  it('keeps all tokens when every one is a stopword, so the sentence still has something to match', () => {
    expect(contentTokens('Who is he?')).toEqual(['who', 'is', 'he']);
  });

  it('measures coverage over distinct tokens', () => {
    // distinct {paris, capital}: paris found → 1 of 2
    expect(coverageOf(['paris', 'paris', 'capital'], new Set(['paris']))).toEqual({ found: 1, total: 2, share: 0.5 });
    expect(coverageOf([], new Set(['paris']))).toEqual({ found: 0, total: 0, share: 0 });
  });
});

describe('n-grams', () => {
  it('lists n-grams and none when the text is shorter than n', () => {
    expect(ngrams(['a', 'b', 'c'], 2)).toEqual(['a b', 'b c']);
    expect(ngrams(['a'], 2)).toEqual([]);
  });

  it('clips the overlap of two bags to the smaller count', () => {
    // cat: min(3, 1) = 1; sat: min(0, 1) = 0
    expect(clippedOverlap(countItems(['cat', 'cat', 'cat']), countItems(['cat', 'sat']))).toBe(1);
  });
});

import { behaviourAction, behaviourTrigger, contextsBucket, questionType, topKeyword } from './question.js';
import { caseMetadata, extractTriples, metadataTriples } from './triples.js';

describe('question classification', () => {
  it.each([
    ['What is RAG?', 'what'],
    ['  how does retrieval work', 'how'],
    ['Why?', 'why'],
    ['When was it built?', 'when'],
    ['Whose painting is this?', 'who'],
    ['Where is Paris?', 'where'],
    ['Which city is larger?', 'which'],
    ['Is Paris in France?', 'yes_no'],
    ['Does RAG need an index?', 'yes_no'],
    ['Name the capital of France.', 'other'],
    ['', 'other'],
  ])('%j is %s', (question, type) => {
    expect(questionType(question)).toBe(type);
  });

  it('buckets contexts: none, one, few (2-4), many', () => {
    expect([0, 1, 2, 4, 5, 12].map(contextsBucket)).toEqual(['none', 'one', 'few', 'few', 'many', 'many']);
  });

  it('takes the longest non-stopword as the top keyword, the first on a tie', () => {
    expect(topKeyword('What is the capital of France?')).toBe('capital');
    expect(topKeyword('Which is older, Paris or Lyon?')).toBe('older');
    expect(topKeyword('Is it?')).toBe('any');
    expect(behaviourTrigger('How does retrieval work?')).toBe('how:retrieval');
  });

  it('writes the action recipe from the contexts and the answer length, by tens of words', () => {
    expect(behaviourAction(2, 'one two three four five six seven eight nine ten eleven')).toBe(
      'answer from 2 contexts, cite them, ≤ 20 words',
    );
    expect(behaviourAction(1, 'short')).toBe('answer from 1 context, cite them, ≤ 10 words');
    expect(behaviourAction(0, 'short')).toBe('answer without contexts, ≤ 10 words');
  });
});

describe('triple extraction', () => {
  it('takes "X verb Y" per sentence: the first verb splits, case kept, predicate lowercased', () => {
    expect(
      extractTriples(
        'Paris is the capital of France. It is large. The Louvre CONTAINS the Mona Lisa!\nIs Paris big? ' +
          'The cat is on the mat and is happy.',
      ),
    ).toEqual([
      { subject: 'Paris', predicate: 'is', object: 'the capital of France' },
      { subject: 'The Louvre', predicate: 'contains', object: 'the Mona Lisa' },
      { subject: 'The cat', predicate: 'is', object: 'on the mat and is happy' },
    ]);
  });

  it('knows its verbs and skips long subjects and sentences without a verb', () => {
    expect(extractTriples('RAG uses retrieved contexts; it requires an index.')).toEqual([
      { subject: 'RAG', predicate: 'uses', object: 'retrieved contexts; it requires an index' },
    ]);
    expect(extractTriples('Retrieval-augmented generation.')).toEqual([]);
    expect(extractTriples('one two three four five six seven eight nine is too long a subject.')).toEqual([]);
    expect(extractTriples('Transformers were introduced in 2017')).toEqual([
      { subject: 'Transformers', predicate: 'were', object: 'introduced in 2017' },
    ]);
  });

  it('reads metadata.facts: well-formed triples only; none without an array', () => {
    expect(
      metadataTriples({
        facts: [
          { subject: ' Paris ', predicate: 'capital of', object: 'France.' },
          { subject: 'Lyon', predicate: '', object: 'France' },
          { subject: 'Lyon', predicate: 'in', object: 7 },
          'Paris is nice',
          { subject: 'x'.repeat(501), predicate: 'p', object: 'o' },
        ],
      }),
    ).toEqual([{ subject: 'Paris', predicate: 'capital of', object: 'France' }]);
    expect(metadataTriples({ facts: [] })).toEqual([]);
    expect(metadataTriples({ facts: 'Paris' })).toBeNull();
    expect(metadataTriples({})).toBeNull();
  });

  it('parses metadataJson, an object only', () => {
    expect(caseMetadata('{"domain":"geo"}')).toEqual({ domain: 'geo' });
    expect(caseMetadata('[1]')).toEqual({});
    expect(caseMetadata('{not json')).toEqual({});
    expect(caseMetadata(null)).toEqual({});
    expect(caseMetadata({ a: 1 })).toEqual({ a: 1 });
  });
});

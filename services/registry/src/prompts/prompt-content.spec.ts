import { modelProfileContent } from '../model-profiles/model-profile-content.js';
import { RegistryErrorCode } from '../resource/resource.errors.js';
import { promptContent } from './prompt-content.js';

const invalid = expect.objectContaining({ code: RegistryErrorCode.InvalidInput });

describe('prompt content', () => {
  it('takes the template placeholders as variables when none are listed, sorted', () => {
    const content = promptContent('Answer {{ question }} from {{context}}; {{question}} again', undefined);
    expect(content.variables).toEqual(['context', 'question']);
    expect(content.contentHash).toBe(
      promptContent('Answer {{ question }} from {{context}}; {{question}} again', ['question', 'context']).contentHash,
    );
  });

  it('hashes template and variables together', () => {
    expect(promptContent('Hi {{name}}', ['name']).contentHash).not.toBe(
      promptContent('Hi {{name}}', ['name', 'tone']).contentHash,
    );
    expect(promptContent('Hi {{name}}', null).contentHash).not.toBe(promptContent('Hello {{name}}', null).contentHash);
  });

  it('refuses an empty template and bad variable lists', () => {
    expect(() => promptContent('  ', undefined)).toThrow(invalid);
    expect(() => promptContent('t', ['a', 'a'])).toThrow(/listed twice/);
    expect(() => promptContent('t', ['has space'])).toThrow(/variables\[0\]/);
    expect(() => promptContent('t', 'a')).toThrow(invalid);
  });
});

describe('model profile content', () => {
  it('hashes provider, model and parameters, whatever the key order', () => {
    const a = modelProfileContent('openai', 'gpt-4o', { temperature: 0, max_tokens: 512 });
    const b = modelProfileContent('openai', 'gpt-4o', { max_tokens: 512, temperature: 0 });
    expect(a).toEqual(b);
    expect(a.parametersJson).toBe('{"max_tokens":512,"temperature":0}');
    expect(modelProfileContent('openai', 'gpt-4o', { temperature: 0.2, max_tokens: 512 }).contentHash).not.toBe(
      a.contentHash,
    );
  });

  it('refuses unknown providers, non-object parameters and anything that looks like a credential', () => {
    expect(() => modelProfileContent('acme', 'm', {})).toThrow(/provider/);
    expect(() => modelProfileContent('openai', 'm', [])).toThrow(/parameters: must be an object/);
    expect(() => modelProfileContent('openai', 'm', { headers: { Authorization: 'Bearer x' } })).toThrow(
      /parameters\.headers\.Authorization/,
    );
    expect(() => modelProfileContent('anthropic', 'm', { api_key: 'sk-1' })).toThrow(invalid);
  });
});

import type pg from 'pg';
import { secretResolver } from '@evalvault/platform';
import { loadConfig } from '../config.js';
import { judgeFactory } from './judge-factory.js';

/** Only builds the judge: nothing is asked of the pool before a case is scored. */
const noPool = {} as pg.Pool;
const judgeWith = (env: Record<string, string>) =>
  judgeFactory(loadConfig({ EVALVAULT_JUDGE_MODEL: 'judge-1', ...env }).judge, noPool, secretResolver({}));

describe('the judge and the egress allow-list', () => {
  it('stops the start when the provider host is not on EVALVAULT_EGRESS_ALLOW, defaults included', () => {
    expect(() => judgeWith({ EVALVAULT_JUDGE_PROVIDER: 'anthropic' })).toThrow(
      'LLM provider anthropic base URL "https://api.anthropic.com": host api.anthropic.com is not on the egress ' +
        'allow-list (EVALVAULT_EGRESS_ALLOW)',
    );
    expect(() =>
      judgeWith({
        EVALVAULT_JUDGE_PROVIDER: 'openai',
        EVALVAULT_JUDGE_BASE_URL: 'https://llm.elsewhere.example',
        EVALVAULT_EGRESS_ALLOW: 'api.openai.com',
      }),
    ).toThrow('host llm.elsewhere.example is not on the egress allow-list');
  });

  it('builds the judge for a listed host and for a model server on loopback', () => {
    const listed = { EVALVAULT_JUDGE_PROVIDER: 'openai', EVALVAULT_EGRESS_ALLOW: 'hooks.slack.com, API.openai.com' };
    expect(judgeWith(listed)).toEqual(expect.any(Function));
    expect(judgeWith({ EVALVAULT_JUDGE_PROVIDER: 'ollama' })).toEqual(expect.any(Function));
  });

  it('accepts a vault: reference for the API key', () => {
    const env = { EVALVAULT_JUDGE_PROVIDER: 'ollama', EVALVAULT_JUDGE_API_KEY_REF: 'vault:secret/evalvault/judge#key' };
    expect(loadConfig({ EVALVAULT_JUDGE_MODEL: 'judge-1', ...env }).judge.apiKeyRef).toBe(
      'vault:secret/evalvault/judge#key',
    );
    expect(() =>
      loadConfig({ EVALVAULT_JUDGE_MODEL: 'judge-1', ...env, EVALVAULT_JUDGE_API_KEY_REF: 'sk-plain' }),
    ).toThrow('EVALVAULT_JUDGE_API_KEY_REF must be env:NAME, file:/absolute/path or vault:<mount>/<path>#<key>');
  });
});

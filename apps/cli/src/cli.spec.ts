import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeIo } from '../test/support/fake-io.js';
import { runCli } from './cli.js';
import { credentialsPath, readCredentials, writeCredentials } from './config/credentials.js';
import { resolveConnection } from './config/connection.js';
import type { EmbeddedLoader } from './embedded/embedded-platform.js';

const dir = mkdtempSync(join(tmpdir(), 'evalvault-cli-'));
const dataset = join(dir, 'qa.jsonl');
writeFileSync(
  dataset,
  `${JSON.stringify({ id: 'a', question: 'Q?', answer: 'A', contexts: ['A'], ground_truth: 'A' })}\n{oops\n`,
);
const noEmbedded: EmbeddedLoader = () => Promise.reject(new Error("Cannot find package '@evalvault/embedded'"));
// No server configured anywhere: an empty config home.
const isolated = (extra: Record<string, string> = {}) => ({
  XDG_CONFIG_HOME: mkdtempSync(join(dir, 'config-')),
  ...extra,
});

async function cli(argv: string[], env = isolated(), loadEmbedded = noEmbedded) {
  const io = fakeIo(env);
  const code = await runCli(argv, io, { loadEmbedded });
  return { code, out: io.out(), err: io.err() };
}

describe('evalvault command line', () => {
  it('exits 2 with a one-line reason on usage errors', async () => {
    expect(await cli(['frobnicate'])).toMatchObject({
      code: 2,
      err:
        'evalvault: error: unknown command "frobnicate" ' +
        '(run, runs, report, datasets, schedules, memory, plugins, login, logout; see "evalvault --help")\n',
    });
    expect(await cli(['run'])).toMatchObject({
      code: 2,
      err: 'evalvault: error: run: missing <dataset> file or --dataset ID[@VERSION] (see "evalvault run --help")\n',
    });
    expect((await cli(['run', dataset, '--colour', 'blue'])).err).toMatch(
      /^evalvault: error: run: Unknown option '--colour'\n$/,
    );
    expect((await cli(['run', dataset, '--metric', 'accuracy'])).err).toMatch(
      /unknown metric accuracy; known: .*token_f1/,
    );
    expect((await cli(['run', dataset, '--gate', 'mean(token_f1) >= 0.6', '--timeout', 'soon'])).err).toContain(
      '--timeout must be a positive number of seconds',
    );
    expect((await cli(['run', dataset, '--gate', 'mean(token_f1) >= 0.6', '--label', 'nokey'])).err).toContain(
      '--label must be key=value',
    );
    expect((await cli(['run', dataset, '--metrics', 'token_f1'])).err).toBe(
      "evalvault: error: run: Unknown option '--metrics' (did you mean --metric?)\n",
    );
    expect((await cli(['rnu'])).err).toMatch(/^evalvault: error: unknown command "rnu" \(did you mean run\?\)/);
    expect((await cli(['runs', 'show'])).code).toBe(2);
    expect((await cli(['runs', 'compare', 'a'])).err).toContain('missing <candidateRunId>');
  });

  it('a bare evalvault prints the usage where errors go and exits 2', async () => {
    expect(await cli([])).toMatchObject({ code: 2, out: '', err: expect.stringContaining('Usage:\n  evalvault run') });
  });

  it('refuses LLM-judged metrics without a judge before starting the embedded platform', async () => {
    let loaded = false;
    const result = await cli(['run', dataset, '--skip-invalid', '--metric', 'faithfulness'], isolated(), () => {
      loaded = true;
      return noEmbedded();
    });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^evalvault: error: faithfulness is scored by an LLM judge and none is configured: /);
    expect(result.err).toMatch(/set EVALVAULT_JUDGE_PROVIDER .*\(e\.g\. faithfulness_lexical\)\n$/);
    expect(loaded).toBe(false);
  });

  it('exits 0 with the usage on --help and prints its version', async () => {
    expect(await cli(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('Exit codes: 0 gate passed') });
    expect(await cli(['run', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('--skip-invalid') });
    expect((await cli(['--version'])).out).toMatch(/^evalvault \d+\.\d+\.\d+\n$/);
  });

  it('refuses an invalid dataset before contacting anything, naming each bad line', async () => {
    let loaded = false;
    const result = await cli(['run', dataset, '--gate', 'mean(token_f1) >= 0.5'], isolated(), () => {
      loaded = true;
      return noEmbedded();
    });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      new RegExp(
        `^${dataset}:2: invalid JSON: .*\\[INVALID_JSON\\]\n` +
          `evalvault: error: ${dataset}: 1 invalid row \\(line 2\\); fix it or pass --skip-invalid`,
      ),
    );
    expect(loaded).toBe(false);
  });

  it('without a server falls back to the embedded platform, and says so in one line when it is not there', async () => {
    const result = await cli(['run', dataset, '--skip-invalid', '--gate', 'mean(token_f1) >= 0.5']);
    expect(result.code).toBe(2);
    expect(result.err.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        '^evalvault: error: no server is configured and the embedded platform is not available ' +
          '\\(@evalvault/embedded: Cannot find package .*\\); set EVALVAULT_URL',
      ),
    );
  });

  it('stops the embedded platform it started even when the command fails', async () => {
    const events: string[] = [];
    const loader: EmbeddedLoader = async () => ({
      startEmbeddedPlatform: async (options) => {
        events.push(`start port=${options.port} quiet=${options.quiet}`);
        return {
          url: 'http://127.0.0.1:9',
          adminKey: 'evk_x',
          stop: async () => {
            events.push('stop');
          },
        };
      },
    });
    const result = await cli(['runs', 'list'], isolated({ EVALVAULT_DATA_DIR: join(dir, 'data') }), loader);
    expect(result.code).toBe(2);
    expect(result.err).toContain('evalvault: error: cannot reach http://127.0.0.1:9');
    expect(events).toEqual(['start port=0 quiet=true', 'stop']);
  });
});

describe('configuration', () => {
  it('saves credentials under XDG_CONFIG_HOME readable by the user only', async () => {
    const env = isolated();
    const path = credentialsPath(env);
    expect(path).toBe(join(env.XDG_CONFIG_HOME, 'evalvault', 'credentials.json'));
    await writeCredentials(path, { url: 'http://server', project: 'team', auth: { type: 'api_key', apiKey: 'evk_1' } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await readCredentials(path)).toEqual({
      url: 'http://server',
      project: 'team',
      auth: { type: 'api_key', apiKey: 'evk_1' },
    });
  });

  it('prefers --url and env, uses saved credentials for their own server; none on a fresh machine', async () => {
    const env = isolated();
    expect(await resolveConnection({}, env)).toBeNull();
    await writeCredentials(credentialsPath(env), {
      url: 'http://saved/',
      project: 'team',
      auth: { type: 'api_key', apiKey: 'evk_saved' },
    });
    expect(await resolveConnection({}, env)).toMatchObject({
      url: 'http://saved/',
      project: 'team',
      bearer: null,
      stored: { auth: { apiKey: 'evk_saved' } },
    });
    expect(
      await resolveConnection({}, { ...env, EVALVAULT_URL: 'http://saved', EVALVAULT_PROJECT: 'other' }),
    ).toMatchObject({ project: 'other', stored: { url: 'http://saved/' } });
    expect(
      await resolveConnection({ url: 'http://elsewhere' }, { ...env, EVALVAULT_API_KEY: 'evk_env' }),
    ).toMatchObject({ url: 'http://elsewhere', project: 'default', bearer: 'evk_env', stored: null });
    expect(await resolveConnection({ url: 'http://elsewhere' }, env)).toMatchObject({ bearer: null, stored: null });
  });

  it('exits 2 naming a damaged credentials file', async () => {
    const env = isolated();
    await writeCredentials(credentialsPath(env), { url: 'x', project: 'p', auth: { type: 'api_key', apiKey: 'k' } });
    writeFileSync(credentialsPath(env), '{not json');
    expect((await cli(['runs', 'list'], env)).err).toMatch(/credentials.json is damaged .*run "evalvault login" again/);
  });
});

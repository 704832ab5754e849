import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { evalvault, lastLine } from './support/run-cli.js';

// Each command starts (and stops) the whole embedded platform on a fresh PGlite database.
jest.setTimeout(180_000);

/**
 * What a new user meets on a fresh clone: no server configured, so `evalvault run` starts the
 * embedded platform itself, runs the example and stops it; the exit code is the verdict.
 */
describe('evalvault with no server: the embedded platform', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-cli-embedded-'));
  // An empty configuration directory: no saved login, so nothing points at a server.
  const env = { XDG_CONFIG_HOME: join(scratch, 'config') };
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes the example gate: exit 0, results table, JUnit report', async () => {
    const junit = join(scratch, 'report.xml');
    const result = await evalvault(
      ['run', 'examples/rag-qa/dataset.jsonl', '--gate-file', 'examples/rag-qa/gate.txt', '--junit', junit],
      env,
    );
    expect(result.stderr).toContain('starting the embedded platform');
    expect({ code: result.code, reason: lastLine(result.stderr) }).toEqual({
      code: 0,
      reason: 'evalvault: gate passed (3 rules)',
    });
    expect(result.stdout).toMatch(/60 cases: 60 evaluated, 0 failed/);
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite');
  });

  it('fails the strict gate: exit 1 naming the failed rules', async () => {
    const result = await evalvault(
      ['run', 'examples/rag-qa/dataset.jsonl', '--gate-file', 'examples/rag-qa/gate-strict.json'],
      env,
    );
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toMatch(/^evalvault: gate failed/);
  });

  it('honours the server’s body limit: under a smaller one the cases are registered and run by reference', async () => {
    const result = await evalvault(
      ['run', 'examples/rag-qa/dataset.jsonl', '--gate-file', 'examples/rag-qa/gate.txt'],
      { ...env, GATEWAY_BODY_LIMIT_BYTES: '8192' },
    );
    expect(result.stderr).toMatch(
      /the server refused the cases inline \(413 Payload too large: .*Register a large dataset as a version/,
    );
    expect(result.stderr).toContain('registering them as dataset "rag-qa" and running that version');
    expect({ code: result.code, reason: lastLine(result.stderr) }).toEqual({
      code: 0,
      reason: 'evalvault: gate passed (3 rules)',
    });
    expect(result.stdout).toMatch(/60 cases: 60 evaluated, 0 failed/);
  });

  it('runs without a gate: exit 0, saying no gate was set', async () => {
    const result = await evalvault(['run', 'examples/rag-qa/dataset.jsonl', '--metric', 'token_f1'], env);
    expect({ code: result.code, reason: lastLine(result.stderr) }).toEqual({
      code: 0,
      reason: expect.stringMatching(/^evalvault: run \S+ completed; no gate was set$/) as unknown as string,
    });
    expect(result.stdout).toContain('no gate was set: nothing was judged');
  });

  it('refuses an invalid dataset before starting anything: exit 2 naming each bad line', async () => {
    const result = await evalvault(['run', 'examples/rag-qa/invalid.jsonl', '--gate', 'mean(token_f1) >= 0.5'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid\.jsonl:2: /);
    expect(result.stderr).not.toContain('starting the embedded platform');
  });
});

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { argoCommand, gitlabCommand, runCiCommand } from '../examples/ci-examples.js';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../support/embedded-platform.js';
import { clientDirectory, python } from './python.js';

jest.setTimeout(180_000);

interface RunSummary {
  runId: string;
  status: string;
  verdict: string | null;
  passed: boolean;
  rules: unknown[];
  means: Record<string, number>;
  cases: Record<string, Record<string, number>>;
}
interface Checked {
  passed: RunSummary;
  strict: RunSummary & { submittedStatus: string };
  inline: RunSummary;
  compare: { base: string; metrics: string[] };
  listedWithLabel: string[];
  allListed: number;
  badGate: { status: number; detail: string; message: string } | null;
}

/** The platform's clients outside this repository's TypeScript, against one embedded platform (`npm start`'s). */
describe('clients against the embedded platform', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-clients-'));
  let platform: EmbeddedPlatform | undefined;
  let url: string;
  let adminKey: string;
  const wheel = join(scratch, 'site');
  const api = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as T;

  beforeAll(async () => {
    // The wheel builds while the platform starts.
    const [started] = await Promise.all([startEmbeddedPlatform(join(scratch, 'data')), buildAndInstallWheel()]);
    platform = started;
    ({ url, adminKey } = started);
  });

  afterAll(async () => {
    await platform?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** As clients/python/README.md says: pip wheel, then the wheel into a directory on PYTHONPATH. */
  async function buildAndInstallWheel(): Promise<void> {
    const source = join(scratch, 'source');
    cpSync(clientDirectory, source, { recursive: true, filter: (path) => !/__pycache__|\.egg-info|build$/.test(path) });
    const pip = ['-m', 'pip', '--disable-pip-version-check', '--no-cache-dir'];
    const dist = join(scratch, 'dist');
    await python([...pip, 'wheel', '--no-deps', '--no-build-isolation', '--no-index', '-w', dist, source]);
    const [file] = readdirSync(dist).filter((name) => name.endsWith('.whl'));
    await python([...pip, 'install', '--no-deps', '--no-index', '--target', wheel, join(dist, file!)]);
  }

  /**
   * The Python client as a user installs and runs it: the wheel built with Debian's pip and setuptools, used by
   * the system python3; what it reports is checked against the REST API itself.
   */
  describe('the Python client (clients/python)', () => {
    it('is generated from the OpenAPI document the platform serves', async () => {
      const served = await (await fetch(`${url}/openapi.json`)).json();
      expect(served).toEqual(JSON.parse(readFileSync(join(clientDirectory, 'openapi.json'), 'utf8')));
    });

    it('runs a dataset to its verdict with per-case scores, waits, lists, compares; a bad rule is a 400', async () => {
      const script = join(clientDirectory, 'tests', 'client_check.py');
      const { stdout } = await python([script, url, adminKey], { env: { PYTHONPATH: wheel } });
      const checked = JSON.parse(stdout) as Checked;

      const passed = await api<{ aggregates: { metric: string; mean: number }[]; gate: { rules: unknown[] } }>(
        `/v1/projects/default/runs/${checked.passed.runId}`,
      );
      expect(checked.passed).toMatchObject({ status: 'completed', verdict: 'passed', rules: passed.gate.rules });
      expect(checked.passed.means).toEqual(Object.fromEntries(passed.aggregates.map((a) => [a.metric, a.mean])));
      const cases = await api<{ items: { caseId: string; scores: { metric: string; score: number }[] }[] }>(
        `/v1/projects/default/runs/${checked.passed.runId}/cases?limit=500`,
      );
      expect(Object.keys(checked.passed.cases)).toHaveLength(60);
      for (const item of cases.items)
        expect(checked.passed.cases[item.caseId]).toEqual(
          Object.fromEntries(item.scores.map((s) => [s.metric, s.score])),
        );

      expect(checked.strict).toMatchObject({ submittedStatus: 'requested', verdict: 'failed', passed: false });
      expect(checked.inline).toMatchObject({ verdict: 'passed', cases: { one: { exact_match: 1 } } });
      expect(checked.compare).toEqual({
        base: checked.passed.runId,
        metrics: expect.arrayContaining(['token_f1', 'faithfulness_lexical', 'context_recall']),
      });
      expect(checked.listedWithLabel).toEqual([checked.passed.runId]);
      expect(checked.allListed).toBe(3);
      expect(checked.badGate).toMatchObject({ status: 400, detail: expect.stringMatching(/column \d+/) });
    });
  });

  /**
   * The GitLab and Argo examples' own command lines, with the variables their CI system sets: the exit code
   * says passed (0), failed (1) or could not run (2, the one the examples retry), and the JUnit report is there.
   */
  describe('the CI examples (examples/ci)', () => {
    const job = (name: string, command: string, env: Record<string, string>) =>
      runCiCommand(command, join(scratch, name), {
        EVALVAULT_URL: url,
        EVALVAULT_API_KEY: adminKey,
        EVALVAULT_PROJECT: 'default',
        ...env,
      });
    const gitlab = {
      CI_PIPELINE_ID: '4711',
      CI_JOB_NAME: 'evalvault',
      CI_COMMIT_REF_NAME: 'main',
      CI_COMMIT_SHA: 'c0',
    };

    it('GitLab: the release gate passes, exit 0, with the JUnit report', async () => {
      expect(await job('gitlab', gitlabCommand(), gitlab)).toEqual({
        code: 0,
        suites: expect.stringMatching(/ failures="0"/),
      });
    });

    it('GitLab: a credential the platform refuses is exit 2, the code the job retries', async () => {
      const refused = await job('gitlab-refused', gitlabCommand(), { ...gitlab, EVALVAULT_API_KEY: 'evk_not_a_key' });
      expect(refused.code).toBe(2);
    });

    it('Argo: the strict gate (a workflow parameter) fails, exit 1, failing rules in the JUnit report', async () => {
      const command = argoCommand({ 'gate-file': 'examples/rag-qa/gate-strict.json' });
      expect(await job('argo', command, {})).toEqual({
        code: 1,
        suites: expect.stringMatching(/ failures="[1-9]\d*"/),
      });
    });
  });
});

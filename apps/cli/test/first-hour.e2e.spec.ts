import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { documentedRunCommands } from './support/documented-commands.js';
import { printedLinesMissing, sampleOutput } from './support/documented-output.js';
import { evalvault, lastLine, repositoryRoot } from './support/run-cli.js';

// Each command without a server starts (and stops) the whole embedded platform on a fresh PGlite database.
jest.setTimeout(300_000);

const DATASET = 'examples/rag-qa/dataset.jsonl';

interface Server {
  child: ChildProcess;
  url: string;
  adminKey: string;
}

/** `npm start`'s platform (the built apps/embedded) on free ports, with no judge configured. */
async function startPlatform(dataDir: string): Promise<Server> {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], PORT: '0' };
  const child = spawn(process.execPath, [join(repositoryRoot, 'apps', 'embedded', 'dist', 'main.js')], {
    env: { ...env, EVALVAULT_DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const url = /EvalVault is running at (\S+)/.exec(output)?.[1];
    if (url) return { child, url, adminKey: readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8') };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the platform did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * What a newcomer following the README meets in the first hour: the README's commands and the
 * output it shows, and the mistakes everyone makes once — each answered with what to do.
 * Without a server the CLI starts the embedded platform; "against a server" is `npm start`'s.
 */
describe('the first hour with evalvault', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-first-hour-'));
  // An empty configuration directory: no saved login, so nothing points at a server.
  const alone = { XDG_CONFIG_HOME: join(scratch, 'config') };
  const tag = `first-hour-${process.pid}`;
  let server: Server;
  let against: Record<string, string>;

  beforeAll(async () => {
    server = await startPlatform(join(scratch, 'server'));
    against = { ...alone, EVALVAULT_URL: server.url, EVALVAULT_API_KEY: server.adminKey.trim() };
  });
  afterAll(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs the README’s commands with the exit codes it states, printing the lines the docs show', async () => {
    const commands = documentedRunCommands();
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const reports = join(scratch, 'reports');
    for (const { args, expectedExit } of commands) {
      const inScratch = args.map((arg) => (arg.startsWith('reports/') ? join(reports, arg) : arg));
      const result = await evalvault(inScratch, alone);
      if (expectedExit !== undefined) expect({ args, code: result.code }).toEqual({ args, code: expectedExit });
    }
    const sample = sampleOutput('docs/services/cli.md', "The Quickstart's second command, as it printed");
    const result = await evalvault(sample.args, alone);
    expect(result.code).toBe(sample.expectedExit);
    expect(printedLinesMissing(sample.lines, result)).toEqual([]);
    expect(result.stdout).not.toMatch(/^\{"level":/m); // the embedded platform's log is not the command's output
    expect(lastLine(result.stderr)).toMatch(/^evalvault: gate failed: /); // as the README says
  });

  it('refuses LLM-judged metrics without a judge before starting anything, naming the variable to set', async () => {
    for (const gate of [[], ['--gate', 'mean(faithfulness) >= 0.8']]) {
      const result = await evalvault(['run', DATASET, '--metric', 'faithfulness', '--wait', ...gate], alone);
      expect({ gate, code: result.code }).toEqual({ gate, code: 2 });
      expect(lastLine(result.stderr)).toMatch(
        /^evalvault: error: faithfulness is scored by an LLM judge and none is configured: set EVALVAULT_JUDGE_/,
      );
      expect(result.stderr).toContain('export EVALVAULT_JUDGE_PROVIDER=openai');
      expect(result.stderr).not.toContain('starting the embedded platform');
    }
  });

  it('against a server without a judge: the server refuses such a run (422), naming metric and variable', async () => {
    const label = ['--label', `${tag}=judge`];
    const result = await evalvault(['run', DATASET, '--metric', 'token_f1,faithfulness', '--wait', ...label], against);
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toMatch(
      /^evalvault: error: 422 No LLM judge configured: faithfulness is scored by an LLM judge and none is configured: /,
    );
    expect(lastLine(result.stderr)).toContain('set EVALVAULT_JUDGE_PROVIDER (openai, ');
    const listed = await evalvault(['runs', 'list', '--label', `${tag}=judge`, '--json'], against);
    expect(JSON.parse(listed.stdout)).toEqual([]); // nothing was submitted
  });

  it('finds runs by the dataset name people gave, and says which field of a request was wrong', async () => {
    const label = `${tag}=by-name`;
    const run = await evalvault(['run', DATASET, '--gate-file', 'examples/rag-qa/gate.txt', '--label', label], against);
    expect(run.code).toBe(0);
    const runId = /submitted run ([0-9a-f-]{36})/.exec(run.stderr)![1];
    const byName = await evalvault(['runs', 'list', '--dataset', 'rag-qa', '--label', label, '--json'], against);
    expect((JSON.parse(byName.stdout) as Array<{ runId: string }>).map((r) => r.runId)).toEqual([runId]);

    const done = await evalvault(['runs', 'list', '--status', 'done'], against);
    expect({ code: done.code, reason: lastLine(done.stderr) }).toEqual({
      code: 2,
      reason:
        'evalvault: error: 400 Invalid input: The request has 1 invalid field(s). ' +
        'querystring/status: must be one of requested, running, completed, failed, cancelled',
    });
  });

  it('says a wrong API key is not a valid API key or token', async () => {
    const result = await evalvault(['runs', 'list'], { ...against, EVALVAULT_API_KEY: 'my-api-key' });
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toMatch(
      /^evalvault: error: 401 Unauthenticated: not a valid API key or token \(an API key is evk_/,
    );
  });

  it('suggests the metric or option meant, names the gate file’s line, prints the usage when bare', async () => {
    const metric = await evalvault(['run', DATASET, '--metric', 'faithfullness'], alone);
    expect(lastLine(metric.stderr)).toMatch(
      /^evalvault: error: unknown metric faithfullness \(did you mean faithfulness\?\); known: /,
    );
    const option = await evalvault(['run', DATASET, '--metrics', 'token_f1'], alone);
    expect(lastLine(option.stderr)).toBe("evalvault: error: run: Unknown option '--metrics' (did you mean --metric?)");

    const gateFile = join(scratch, 'gate.txt');
    writeFileSync(gateFile, '# release gate\nmean(token_f1) >= 0.6\nmin(context_recall) >= \n');
    const gate = await evalvault(['run', DATASET, '--gate-file', gateFile], alone);
    expect({ code: gate.code, reason: lastLine(gate.stderr) }).toEqual({
      code: 2,
      reason:
        `evalvault: error: invalid gate rule: ${gateFile}:3: "min(context_recall) >=" ` +
        "column 23: expected a number or 'baseline', found end of rule",
    });

    const bare = await evalvault([], alone);
    expect(bare).toMatchObject({ code: 2, stdout: '' });
    expect(bare.stderr).toContain('Usage:\n  evalvault run');
  });
});

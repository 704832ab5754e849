import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';

// A start opens a PGlite database (seconds on two cores); a stale build adds nx's run.
jest.setTimeout(180_000);

const root = join(import.meta.dirname, '..', '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start` exactly as a user types it, on a data directory of the test's own and free ports. */
function npmStart(dataDir: string): Started {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EVALVAULT_DATA_DIR: dataDir,
    PORT: '0',
    DATABASE_URL: '',
    KAFKA_BROKERS: '',
  };
  delete env['LOG_LEVEL']; // the defaults are what is under test
  delete env['LOG_FORMAT'];
  const child = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

async function until<T>(
  what: string,
  probe: () => T | undefined,
  output: () => string,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let value = probe(); ; value = probe()) {
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * `npm start` says what a person needs — the banner and warnings, not nx's build or Nest's route
 * table — stops on SIGTERM sent to npm, and a second start on a busy data directory explains
 * itself in one line.
 */
describe('npm start (a quiet start)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-quiet-start-'));
  let first: Started | undefined;

  beforeAll(() => {
    // The build current beforehand, as after any earlier start: this start must not build.
    execFileSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], { cwd: root, stdio: 'inherit' });
  });

  afterAll(async () => {
    if (first && first.child.exitCode === null && first.child.signalCode === null) {
      first.child.kill('SIGKILL');
      await first.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the banner without build output or route mappings, refuses a second start, stops on SIGTERM', async () => {
    first = npmStart(dataDir);
    const started = first;
    const url = await until(
      'the banner',
      () => {
        if (started.child.exitCode !== null)
          throw new Error(`npm start exited ${started.child.exitCode}:\n${started.output()}`);
        return /EvalVault is running at (\S+)/.exec(started.output())?.[1];
      },
      started.output,
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const output = started.output();
    expect(output).not.toMatch(/Mapped \{/);
    expect(output).not.toMatch(/RoutesResolver|RouterExplorer|InstanceLoader|NestFactory|NestApplication/);
    expect(output).not.toMatch(/evalvault: building|Successfully ran target|\bNX\b|> nx |swc src/);
    // Captured output (this pipe, a CI log) never holds the admin key: its file is named instead.
    const key = readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8').trim();
    expect(output).not.toContain(key);
    expect(output).toContain('(not printed: the output is not a terminal)');
    expect(output).toContain(`Bearer $(cat ${join(dataDir, 'secrets', 'bootstrap-admin-key')})`);

    // A second start on the same data directory: one line saying what to do, no stack trace.
    const second = npmStart(dataDir);
    expect(await second.exited).not.toBe(0);
    const advice = second
      .output()
      .split('\n')
      .filter((line) => line.includes('EVALVAULT_DATA_DIR'));
    expect(advice).toEqual([
      expect.stringMatching(
        new RegExp(
          '^evalvault: data directory .* is in use by process \\d+; ' +
            'stop the other process \\(kill \\d+\\) or set EVALVAULT_DATA_DIR',
        ),
      ),
    ]);
    expect(second.output()).not.toMatch(/^\s+at /m);

    // SIGTERM to npm (what a process manager sends) stops the platform itself, not just npm.
    const platformPid = Number(readFileSync(join(dataDir, 'evalvault.lock'), 'utf8').trim());
    const sentAt = Date.now();
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(15_000);
    await until(
      'the platform process to be gone',
      () => (isAlive(platformPid) ? undefined : true),
      started.output,
      5_000,
    );
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(started.output()).toContain('EvalVault stopped.');
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

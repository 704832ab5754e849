import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

/**
 * `npm start` exactly as a user types it, on a data directory of the test's own and free ports.
 * `terminal`: in a pseudo-terminal (util-linux `script`), the shell command given running `npm start`.
 */
function npmStart(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}, terminal?: string): Started {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EVALVAULT_DATA_DIR: dataDir,
    PORT: '0',
    DATABASE_URL: '',
    KAFKA_BROKERS: '',
    ...extraEnv,
  };
  delete env['LOG_LEVEL']; // the defaults are what is under test
  delete env['LOG_FORMAT'];
  const [command, args] = terminal ? ['script', ['-qefc', terminal, '/dev/null']] : ['npm', ['start']];
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    // After a failed test the platform may outlive npm (killed above): its pipes would keep jest waiting.
    const lock = join(dataDir, 'evalvault.lock');
    const platformPid = existsSync(lock) ? Number(readFileSync(lock, 'utf8').trim()) : 0;
    if (platformPid > 0 && isAlive(platformPid)) process.kill(platformPid, 'SIGKILL');
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
    // Printed once the platform answers: the banner's own curl, and the sign-in it names, at once.
    const keyFile = join(dataDir, 'secrets', 'bootstrap-admin-key');
    const key = readFileSync(keyFile, 'utf8').trim();
    const runs = await fetch(`${url}/v1/projects/default/runs`, { headers: { authorization: `Bearer ${key}` } });
    expect(runs.status).toBe(200);
    const issuer = /Sign-in \(OIDC, for evalvault login --oidc\): (\S+)/.exec(started.output())![1]!;
    expect((await fetch(`${issuer}/.well-known/openid-configuration`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const output = started.output();
    expect(output).not.toMatch(/Mapped \{/);
    expect(output).not.toMatch(/RoutesResolver|RouterExplorer|InstanceLoader|NestFactory|NestApplication/);
    expect(output).not.toMatch(/evalvault: building|Successfully ran target|\bNX\b|> nx |swc src/);
    // Captured output (this pipe, a CI log) never holds the admin key: its file is named instead.
    expect(output).not.toContain(key);
    expect(output).toContain('(not printed: the output is not a terminal)');
    expect(output).toContain(`Bearer $(cat ${keyFile})`);

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

  it('shows the admin key once on a terminal, and not at all when stdout goes to a file', async () => {
    for (const redirected of [false, true]) {
      const scratch = mkdtempSync(join(tmpdir(), 'evalvault-tty-start-'));
      const dir = join(scratch, 'data');
      const log = join(scratch, 'stdout.log');
      const started = npmStart(dir, {}, redirected ? `npm start > ${log}` : 'npm start');
      try {
        await until('the banner', () => (/Ctrl-C stops it/.test(started.output()) ? true : undefined), started.output);
        const keyFile = join(dir, 'secrets', 'bootstrap-admin-key');
        const key = readFileSync(keyFile, 'utf8').trim();
        const printed = started.output().split(key).length - 1;
        expect({ redirected, printed }).toEqual({ redirected, printed: redirected ? 0 : 1 });
        expect(started.output()).toContain(`Bearer $(cat ${keyFile})`); // the example reads the file
        if (redirected) {
          expect(started.output()).toContain('(not printed: the output is not a terminal)');
          expect(readFileSync(log, 'utf8')).not.toContain(key);
        }
      } finally {
        const lock = join(dir, 'evalvault.lock'); // the platform's pid: `script` would not pass a signal on
        if (existsSync(lock)) process.kill(Number(readFileSync(lock, 'utf8').trim()), 'SIGTERM');
        else started.child.kill('SIGTERM');
        await started.exited;
        rmSync(scratch, { recursive: true, force: true });
      }
    }
  });

  it('names the variable that moves the sign-in port when PORT + 10 is taken', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const oidcPort = (taken.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'evalvault-port-clash-'));
    try {
      const clash = npmStart(dir, { PORT: String(oidcPort - 10) });
      expect(await clash.exited).not.toBe(0);
      const reasons = clash
        .output()
        .split('\n')
        .filter((line) => line.includes('is in use'));
      expect(reasons).toEqual([
        `evalvault: port ${oidcPort} of the local sign-in (OIDC; PORT + 10 unless EVALVAULT_OIDC_PORT is set) ` +
          'is in use; stop the other process or set EVALVAULT_OIDC_PORT to a free port (0: any free port)',
      ]);
      expect(clash.output()).not.toMatch(/^\s+at /m);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
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

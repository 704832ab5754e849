import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = (folder: string): string[] =>
  readdirSync(join(here, folder))
    .filter((name) => name.endsWith('.yml'))
    .map((name) => join(folder, name));

/** promtool from Debian's prometheus package (`.ci/run` installs it); its absence fails loudly. */
function promtool(args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: here, encoding: 'utf8' });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'promtool is not installed: run `apt-get install -y prometheus` (Debian; .ci/run does this) to check ' +
        'the alert and recording rules in infra/observability',
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('Prometheus rules (promtool)', () => {
  it('are valid rule files', () => {
    const rules = files('rules');
    expect(rules.length).toBeGreaterThanOrEqual(3);
    const checked = promtool(['check', 'rules', ...rules]);
    expect({ status: checked.status, output: checked.output }).toEqual({ status: 0, output: expect.any(String) });
  });

  it('pass their unit tests: every alert fires on a synthetic breach and stays quiet without it', () => {
    const tests = files('tests');
    expect(tests.length).toBeGreaterThanOrEqual(2);
    const tested = promtool(['test', 'rules', ...tests]);
    if (tested.status !== 0) throw new Error(`promtool test rules failed:\n${tested.output}`);
    expect(tested.output).not.toContain('FAILED');
  });

  it('is the promtool the rules were written for (2.x or later)', () => {
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version [2-9]\./);
  });
});

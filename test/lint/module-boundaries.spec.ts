import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** ESLint's Nx module-boundary rule: a service may import libs, never another service. */
const root = join(import.meta.dirname, '..', '..');

function lint(file: string, source: string): string {
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'eslint'), ['--stdin', '--stdin-filename', file], {
      cwd: root,
      input: source,
      env: { ...process.env, NX_DAEMON: 'false' },
      encoding: 'utf8',
    });
    return '';
  } catch (error) {
    return (error as { stdout: string }).stdout;
  }
}

describe('module boundaries', () => {
  it('refuses a service importing another service', () => {
    const report = lint(
      'services/gateway/src/boundary-probe.ts',
      "import { RunsModule } from '@evalvault/service-runs';\nexport const probe = RunsModule;\n",
    );
    expect(report).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses a deep relative import into another project', () => {
    const report = lint(
      'services/gateway/src/boundary-probe.ts',
      "import { RunsModule } from '../../runs/src/runs.module.js';\nexport const probe = RunsModule;\n",
    );
    expect(report).toContain('@nx/enforce-module-boundaries');
  });

  it('allows a service importing a lib', () => {
    expect(
      lint(
        'services/gateway/src/boundary-probe.ts',
        "import { createLogger } from '@evalvault/platform';\nexport const probe = createLogger;\n",
      ),
    ).toBe('');
  });
});

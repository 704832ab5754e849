import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a fresh clone's set-up leaves behind: a quiet `npm ci`, and no stray files for git to show. */
const root = join(import.meta.dirname, '..', '..');
const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, file), 'utf8'));

describe('a fresh clone', () => {
  it('decides every installed package’s install script in allowScripts, so npm ci warns about none', () => {
    const lock = json('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''))
      .sort();
    const decided = Object.keys((json('package.json')['allowScripts'] ?? {}) as Record<string, boolean>)
      .map((key) => key.replace(/(.)@.*$/, '$1')) // a pinned entry: pkg@1.2.3
      .sort();
    expect(withScripts).toEqual(decided);
  });

  it('ignores the reports the documented commands write (reports/)', () => {
    // git check-ignore exits 0 when the path is ignored, 1 when it is not.
    expect(() =>
      execFileSync('git', ['check-ignore', '--quiet', '--no-index', 'reports/evalvault.xml'], { cwd: root }),
    ).not.toThrow();
  });
});

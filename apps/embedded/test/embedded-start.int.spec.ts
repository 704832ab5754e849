import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../src/platform.js';

// Three starts of the whole platform, one with PGlite's initdb: seconds each on two cores.
jest.setTimeout(180_000);

/** What a start had to do, from a platform it started (and stopped again). */
async function startAndStop(dataDir: string, databaseTemplates: string): Promise<EmbeddedPlatform['startup']> {
  const platform = await startEmbeddedPlatform({ dataDir, databaseTemplates, port: 0, oidcPort: 0, quiet: true });
  try {
    const ready = await fetch(`${platform.url}/readyz`);
    expect(ready.status).toBe(200);
    return platform.startup;
  } finally {
    await platform.stop();
  }
}

/**
 * The start does only the work a data directory needs: the first makes the database and migrates
 * it, a restart migrates nothing, and a new data directory starts from the template the first kept.
 */
describe('starting the embedded platform', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-start-'));
  const templates = join(scratch, 'templates');
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('makes and migrates a new database once, keeping it as a private template', async () => {
    const startup = await startAndStop(join(scratch, 'first'), templates);
    expect(startup.database).toBe('initdb');
    expect(startup.migrated).toEqual(expect.arrayContaining(['eventstore', 'runs', 'gateway', 'audit']));
    expect(readdirSync(templates)).toEqual([expect.stringMatching(/^pgdata-[0-9a-f]{24}$/)]);
    expect(statSync(templates).mode & 0o777).toBe(0o700);
  });

  it('runs no migration when it restarts on a current data directory', async () => {
    expect(await startAndStop(join(scratch, 'first'), templates)).toEqual({ database: 'existing', migrated: [] });
  });

  it('starts a new data directory from the template, with nothing to migrate', async () => {
    expect(await startAndStop(join(scratch, 'second'), templates)).toEqual({ database: 'template', migrated: [] });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { evalvault, lastLine } from './support/run-cli.js';

// The command starts (and stops) the whole embedded platform on a fresh PGlite database.
jest.setTimeout(180_000);

/** The example plugin enabled by configuration, scoring a run end to end through the built CLI and platform. */
describe('a metric plugin on the embedded platform', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-plugins-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('scores the example cases with the plugin’s metric and judges the gate on it', async () => {
    const result = await evalvault(
      ['run', 'examples/plugins/answer-checks/cases.jsonl', '--gate', 'mean(keyword_coverage) >= 0.9'],
      { XDG_CONFIG_HOME: join(scratch, 'config'), EVALVAULT_PLUGINS: './examples/plugins/answer-checks' },
    );
    // vpn-1 has both keywords, mail-1 one of two, print-1 none: mean 0.5.
    expect({ code: result.code, reason: lastLine(result.stderr) }).toEqual({
      code: 1,
      reason: expect.stringMatching(/^evalvault: gate failed/) as unknown as string,
    });
    expect(result.stdout).toMatch(/3 cases: 3 evaluated, 0 failed/);
    expect(result.stdout).toContain('missing: PR-3A, kitchen');
  });
});

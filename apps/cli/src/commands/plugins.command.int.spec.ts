import { join } from 'node:path';
import { fakeIo } from '../../test/support/fake-io.js';
import { runCli } from '../cli.js';

/** `evalvault plugins list` on the example plugin and a refused one, from the repository's root. */
describe('evalvault plugins list', () => {
  const ROOT = join(import.meta.dirname, '../../../..');
  const EXAMPLE = './examples/plugins/answer-checks';

  async function plugins(env: Record<string, string>, ...args: string[]) {
    const io = { ...fakeIo(env), cwd: ROOT };
    const code = await runCli(['plugins', 'list', ...args], io, {
      loadEmbedded: () => Promise.reject(new Error('no')),
    });
    return { code, out: io.out(), err: io.err() };
  }

  it('lists each plugin with its checksum and metrics, and the approval entry works as printed', async () => {
    const listed = await plugins({ EVALVAULT_PLUGINS: EXAMPLE });
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('plugin API 1.0.0; approval not required');
    expect(listed.out).toContain('@evalvault-examples/answer-checks@1.0.0  api ^1  not required');
    expect(listed.out).toContain('metric    keyword_coverage (deterministic)');
    expect(listed.out).toContain('metric    polite_tone (llm)');
    const checksum = /checksum {2}(sha256:[0-9a-f]{64})/.exec(listed.out)![1]!;
    const approved = await plugins(
      { EVALVAULT_PLUGINS: EXAMPLE, EVALVAULT_PLUGINS_APPROVED: `@evalvault-examples/answer-checks@1.0.0=${checksum}` },
      '--json',
    );
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.out)).toMatchObject({
      api: '1.0.0',
      plugins: [{ name: '@evalvault-examples/answer-checks', checksum, approval: 'approved', problem: null }],
    });
  });

  it('exits 2 naming why a plugin would be refused', async () => {
    const refused = await plugins({
      EVALVAULT_PLUGINS: `${EXAMPLE},./test/fixtures/plugins/future-api`,
    });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('REFUSED   plugin evalvault-fixture-future-api@0.1.0 requires plugin API "^2"');
    const unapproved = await plugins({ EVALVAULT_PLUGINS: EXAMPLE, EVALVAULT_PLUGINS_REQUIRE_APPROVAL: 'true' });
    expect(unapproved).toMatchObject({ code: 2 });
    expect(unapproved.out).toContain('not approved');
    expect(unapproved.out).not.toContain('metric    keyword_coverage');
  });
});

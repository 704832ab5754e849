import { loadPluginSettings } from './plugin-settings.js';

describe('plugin settings', () => {
  const checksum = `sha256:${'c'.repeat(64)}`;

  it('loads nothing and requires no approval by default', () => {
    expect(loadPluginSettings({})).toEqual({
      packages: [],
      approvals: null,
      caseTimeoutMs: 10_000,
      memoryMb: 128,
      loadTimeoutMs: 10_000,
    });
  });

  it('requires approval once a list is set, or when asked with an empty one', () => {
    const listed = loadPluginSettings({ EVALVAULT_PLUGINS: 'a', EVALVAULT_PLUGINS_APPROVED: `a@1.0.0=${checksum}` });
    expect(listed.approvals).toEqual([{ name: 'a', version: '1.0.0', checksum }]);
    expect(loadPluginSettings({ EVALVAULT_PLUGINS_REQUIRE_APPROVAL: 'true' }).approvals).toEqual([]);
    const off = loadPluginSettings({ EVALVAULT_PLUGINS_REQUIRE_APPROVAL: 'false', EVALVAULT_PLUGINS_APPROVED: '' });
    expect(off.approvals).toBeNull();
  });

  it.each([
    [{ EVALVAULT_PLUGINS: 'a,b,a' }, 'EVALVAULT_PLUGINS'],
    [{ EVALVAULT_PLUGINS_APPROVED: 'a@1=sha256:00' }, 'EVALVAULT_PLUGINS_APPROVED'],
    [{ EVALVAULT_PLUGINS_REQUIRE_APPROVAL: 'yes' }, 'EVALVAULT_PLUGINS_REQUIRE_APPROVAL'],
    [{ EVALVAULT_PLUGIN_CASE_TIMEOUT_MS: '0' }, 'EVALVAULT_PLUGIN_CASE_TIMEOUT_MS'],
  ])('refuses %j, naming the variable', (env, variable) => {
    expect(() => loadPluginSettings(env)).toThrow(variable);
  });
});

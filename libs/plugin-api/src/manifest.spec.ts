import { parsePluginManifest, PluginManifestError } from './manifest.js';

describe('parsePluginManifest', () => {
  const pkg = (evalvault: unknown) => ({ name: '@acme/metrics', version: '1.2.0', evalvault });

  it('reads the evalvault entry with the package name and version', () => {
    expect(parsePluginManifest(pkg({ api: ' ^1 ', metrics: './dist/metrics.js' }), '/p')).toEqual({
      name: '@acme/metrics',
      version: '1.2.0',
      api: '^1',
      metrics: './dist/metrics.js',
    });
  });

  it.each([
    [{ name: 'x', version: '1.0.0' }, 'x@1.0.0 has no "evalvault" entry'],
    [pkg('^1'), '"evalvault" must be an object'],
    [pkg({ metrics: './m.js' }), '"evalvault.api" must be a semver range'],
    [pkg({ api: '^1' }), '"evalvault.metrics" must name the metrics module'],
    [pkg({ api: '^1', metrics: '../elsewhere/m.js' }), 'must be a path inside the package'],
    [pkg({ api: '^1', metrics: '/etc/m.js' }), 'must be a path inside the package'],
    [{ version: '1.0.0', evalvault: {} }, 'package.json has no "name"'],
    [[], 'package.json is not a JSON object'],
  ])('refuses %j, naming the problem', (json, message) => {
    expect(() => parsePluginManifest(json, '/plugins/x')).toThrow(PluginManifestError);
    expect(() => parsePluginManifest(json, '/plugins/x')).toThrow(message);
  });
});

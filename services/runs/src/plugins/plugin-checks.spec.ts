import { METRIC_NAMES } from '@evalvault/evaluation';
import {
  assertApiCompatible,
  assertApproved,
  assertMetricName,
  assertNoCollisions,
  parseApproval,
} from './plugin-checks.js';
import { PluginErrorCode } from './plugin.errors.js';

const codeOf = (check: () => void): string | null => {
  try {
    check();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'no code';
  }
};

describe('plugin API range', () => {
  const manifest = (api: string) => ({ name: 'p', version: '1.0.0', api, metrics: './m.js' });

  it.each(['^1', '1.x', '>=1.0.0 <2', '~1.0', '*'])('admits API 1.0.0 for "%s"', (api) => {
    expect(codeOf(() => assertApiCompatible(manifest(api), '1.0.0'))).toBeNull();
  });

  it.each(['^2', '^1.1', '0.x', '<1'])('refuses "%s" against API 1.0.0', (api) => {
    expect(codeOf(() => assertApiCompatible(manifest(api), '1.0.0'))).toBe(PluginErrorCode.ApiIncompatible);
  });

  it('says what the plugin requires and what the platform provides', () => {
    expect(() => assertApiCompatible(manifest('^2'), '1.0.0')).toThrow(
      'plugin p@1.0.0 requires plugin API "^2"; this platform provides 1.0.0',
    );
  });

  it('refuses a range that is not semver as a bad manifest', () => {
    expect(codeOf(() => assertApiCompatible(manifest('one'), '1.0.0'))).toBe(PluginErrorCode.BadManifest);
  });
});

describe('metric name collisions', () => {
  it('admits new names', () => {
    const plugins = [
      { label: 'a@1.0.0', metrics: ['keyword_coverage'] },
      { label: 'b@2.0.0', metrics: ['polite_tone', 'brevity'] },
    ];
    expect(codeOf(() => assertNoCollisions(plugins, METRIC_NAMES))).toBeNull();
  });

  it('refuses a built-in name and a name two plugins declare, naming both owners', () => {
    const plugins = [
      { label: 'a@1.0.0', metrics: ['token_f1', 'tone'] },
      { label: 'b@2.0.0', metrics: ['tone'] },
    ];
    expect(codeOf(() => assertNoCollisions(plugins, METRIC_NAMES))).toBe(PluginErrorCode.MetricCollision);
    expect(() => assertNoCollisions(plugins, METRIC_NAMES)).toThrow(
      '"token_f1" of a@1.0.0 is already a built-in metric; "tone" of b@2.0.0 is already a metric of a@1.0.0',
    );
  });

  it('refuses a name twice in one plugin', () => {
    const plugins = [{ label: 'a@1.0.0', metrics: ['tone', 'tone'] }];
    expect(codeOf(() => assertNoCollisions(plugins, METRIC_NAMES))).toBe(PluginErrorCode.MetricCollision);
  });

  it.each(['Tone', 'tone-score', '1tone', '', 'toString()', 42])('refuses the metric name %j', (name) => {
    expect(codeOf(() => assertMetricName('a@1.0.0', name))).toBe(PluginErrorCode.BadManifest);
  });
});

describe('approvals', () => {
  const checksum = `sha256:${'a'.repeat(64)}`;
  const other = `sha256:${'b'.repeat(64)}`;

  it('parses name@version=checksum, scoped names included', () => {
    expect(parseApproval(`@acme/metrics@1.2.0=${checksum}`)).toEqual({
      name: '@acme/metrics',
      version: '1.2.0',
      checksum,
    });
    expect(parseApproval(` plain@0.1.0-rc.1=${checksum} `)).toEqual({ name: 'plain', version: '0.1.0-rc.1', checksum });
  });

  it.each(['plain=sha256:abc', `plain@1.0.0=${'a'.repeat(64)}`, `plain@1.0.0=sha256:${'A'.repeat(64)}`, ''])(
    'refuses the entry "%s"',
    (entry) => {
      expect(() => parseApproval(entry)).toThrow('is not name@version=sha256:<64 hex digits>');
    },
  );

  const plugin = { name: '@acme/metrics', version: '1.2.0', checksum };

  it('admits the exact name, version and checksum', () => {
    const approvals = [parseApproval(`@acme/metrics@1.1.0=${other}`), parseApproval(`@acme/metrics@1.2.0=${checksum}`)];
    expect(codeOf(() => assertApproved(plugin, approvals))).toBeNull();
  });

  it('refuses another checksum of an approved version, saying the package differs', () => {
    const approvals = [parseApproval(`@acme/metrics@1.2.0=${other}`)];
    expect(codeOf(() => assertApproved(plugin, approvals))).toBe(PluginErrorCode.NotApproved);
    expect(() => assertApproved(plugin, approvals)).toThrow('the installed package differs from the one approved');
  });

  it('refuses an unlisted version, saying what entry would approve it', () => {
    const approvals = [parseApproval(`@acme/metrics@1.1.0=${checksum}`)];
    expect(() => assertApproved(plugin, approvals)).toThrow(
      `add @acme/metrics@1.2.0=${checksum} to EVALVAULT_PLUGINS_APPROVED`,
    );
    expect(codeOf(() => assertApproved(plugin, []))).toBe(PluginErrorCode.NotApproved);
  });
});

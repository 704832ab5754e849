import { MetricError } from '@evalvault/evaluation';
import { BUILT_IN_METRICS, metricCatalog, pluginsChanged } from './metric-catalog.js';
import type { PluginHost } from './plugin-host.js';

/** A loaded plugin as the catalog sees it; its metrics never run here. */
function host(name: string, version: string, metrics: string[], checksum = `sha256:${name.length}`): PluginHost {
  return {
    label: `${name}@${version}`,
    plugin: { manifest: { name, version, api: '^1', metrics: './m.js' }, checksum },
    metrics: metrics.map((metric) => ({ name: metric, description: '', kind: 'deterministic', requires: [] })),
    close: async () => {},
  } as unknown as PluginHost;
}

describe('metric catalog', () => {
  const zeta = host('zeta-metrics', '2.0.0', ['brevity']);
  const alpha = host('@acme/alpha', '1.2.0', ['keyword_coverage', 'tone']);
  const catalog = metricCatalog([zeta, alpha]);

  it('knows built-in and plugin metrics, sorted, and names them all for an unknown one', () => {
    expect(catalog.names).toEqual(expect.arrayContaining(['brevity', 'keyword_coverage', 'token_f1', 'tone']));
    expect([...catalog.names]).toEqual([...catalog.names].sort());
    expect(catalog.byName('token_f1').name).toBe('token_f1');
    expect(catalog.byName('tone')).toMatchObject({ name: 'tone', kind: 'deterministic' });
    expect(() => catalog.byName('tones')).toThrow(MetricError);
    expect(() => catalog.byName('tones')).toThrow(/known metrics: .*keyword_coverage/);
  });

  it('pins the plugins a run uses, once each, by name; none for built-in metrics', () => {
    expect(catalog.pluginsOf(['token_f1', 'tone', 'brevity', 'keyword_coverage'])).toEqual([
      { name: '@acme/alpha', version: '1.2.0', checksum: 'sha256:11' },
      { name: 'zeta-metrics', version: '2.0.0', checksum: 'sha256:12' },
    ]);
    expect(catalog.pluginsOf(['token_f1', 'bleu'])).toBeNull();
    expect(metricCatalog([])).toBe(BUILT_IN_METRICS);
  });

  it('tells a worker whether it loaded the plugins a run pinned', () => {
    const pinned = catalog.pluginsOf(['tone']);
    expect(pluginsChanged(catalog, pinned)).toBeNull();
    expect(pluginsChanged(catalog, null)).toBeNull();
    expect(pluginsChanged(metricCatalog([host('@acme/alpha', '1.3.0', ['tone'])]), pinned)).toMatch(
      /pinned plugin @acme\/alpha@1\.2\.0 .*this worker loaded 1\.3\.0/,
    );
    const rebuilt = metricCatalog([host('@acme/alpha', '1.2.0', ['tone'], 'sha256:other')]);
    expect(pluginsChanged(rebuilt, pinned)).toMatch(/loaded 1\.2\.0 \(sha256:other\)/);
    expect(pluginsChanged(BUILT_IN_METRICS, pinned)).toMatch(/this worker has not loaded it/);
  });
});

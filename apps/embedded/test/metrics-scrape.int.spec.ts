import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parseMetricSamples, sampleValue } from '@evalvault/platform/testing';
import { everyPlatformMetric, scrapedMetricNames } from '../src/observability/metric-catalog.js';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../src/platform.js';

jest.setTimeout(180_000);

/** What a started platform's /metrics shows, against the catalogue the rules and dashboards are checked with. */
describe('/metrics of the started embedded platform', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-metrics-'));
  let platform: EmbeddedPlatform;
  beforeAll(async () => {
    platform = await startEmbeddedPlatform({ dataDir: join(scratch, 'data'), port: 0, oidcPort: 0, quiet: true });
  });
  afterAll(async () => {
    await platform?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('shows every catalogued metric, except the ones of parts this mode does not run', async () => {
    expect((await fetch(`${platform.url}/readyz`)).status).toBe(200);
    const scrape = await (await fetch(`${platform.url}/metrics`)).text();
    const shown = new Set(parseMetricSamples(scrape).map((sample) => sample.name));
    // Names without samples (a labelled series not yet observed) still have their HELP line.
    for (const [, name] of scrape.matchAll(/^# HELP (\S+)/gm)) shown.add(name!);
    const missing = [...(await scrapedMetricNames(everyPlatformMetric()))].filter(
      (name) => !shown.has(name) && !shown.has(name.replace(/_(bucket|sum|count)$/, '')),
    );
    // No judge is configured (no LLM series), and without Kafka no relay runs.
    expect(missing.filter((name) => !/^(llm_|relay_)/.test(name))).toEqual([]);
    expect(sampleValue(scrape, 'http_requests_total', { route: '/readyz', status: '200', method: 'GET' })).toBe(1);
  });
});

import { ConfigError } from '@evalvault/platform';
import { loadConfig } from './config.js';

describe('audit service configuration', () => {
  const HOUR = 60 * 60 * 1000;

  it('makes a retention shortening wait 72 hours unless told otherwise', () => {
    expect(loadConfig({}).retentionShorteningDelayMs).toBe(72 * HOUR);
    expect(loadConfig({ AUDIT_RETENTION_SHORTENING_DELAY_HOURS: '168' }).retentionShorteningDelayMs).toBe(168 * HOUR);
    expect(loadConfig({ AUDIT_RETENTION_SHORTENING_DELAY_HOURS: '0' }).retentionShorteningDelayMs).toBe(0);
  });

  it('verifies every chain daily unless told otherwise, within what a timer can wait', () => {
    expect(loadConfig({}).verifyIntervalMs).toBe(24 * HOUR);
    expect(loadConfig({ AUDIT_VERIFY_INTERVAL_MS: '0' }).verifyIntervalMs).toBe(0);
    expect(() => loadConfig({ AUDIT_VERIFY_INTERVAL_MS: String(2 ** 31) })).toThrow(ConfigError);
  });

  it('refuses a delay that is not a whole number of hours', () => {
    for (const value of ['-1', '1.5', 'three days'])
      expect(() => loadConfig({ AUDIT_RETENTION_SHORTENING_DELAY_HOURS: value })).toThrow(ConfigError);
  });
});

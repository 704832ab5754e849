import { Registry } from 'prom-client';
import { registryValue } from '../testing/metric-samples.js';
import { meteredSecrets } from './secret-metrics.js';
import { secretResolver } from './secret-ref.js';

describe('secret read failures', () => {
  it('counts each ref that cannot be read by its source, and none that can', async () => {
    const registry = new Registry();
    const resolve = meteredSecrets(secretResolver({ PRESENT: 'value' }), registry);
    await expect(resolve('env:PRESENT')).resolves.toBe('value');
    await expect(resolve('env:MISSING')).rejects.toThrow('env:MISSING');
    await expect(resolve('file:/nonexistent/tls.key')).rejects.toThrow('ENOENT');
    await expect(resolve('file:/nonexistent/ca.pem')).rejects.toThrow('ENOENT');
    await expect(resolve('plain-secret')).rejects.toThrow();
    expect(await registryValue(registry, 'secret_read_failures_total', { source: 'env' })).toBe(1);
    expect(await registryValue(registry, 'secret_read_failures_total', { source: 'file' })).toBe(2);
    expect(await registryValue(registry, 'secret_read_failures_total', { source: 'invalid_ref' })).toBe(1);
    expect(await registry.metrics()).not.toContain('nonexistent');
  });
});

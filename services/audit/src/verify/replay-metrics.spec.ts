import { Registry } from 'prom-client';
import { registryValue } from '@evalvault/platform/testing';
import { countReplays, replayMetrics } from './replay-metrics.js';

describe('audit replay metrics', () => {
  it('counts replays by outcome and keeps when one last ended verified', async () => {
    const registry = new Registry();
    const outcomes: (string | Error)[] = ['mismatch', 'verified', new Error('database down')];
    const replay = {
      async replay() {
        const next = outcomes.shift()!;
        if (next instanceof Error) throw next;
        return { status: next };
      },
    };
    countReplays(replay, replayMetrics(registry));
    await replay.replay();
    expect(await registryValue(registry, 'audit_chain_last_verified_timestamp_seconds')).toBe(0);
    await replay.replay();
    await expect(replay.replay()).rejects.toThrow('database down');
    for (const outcome of ['mismatch', 'verified', 'error'])
      expect(await registryValue(registry, 'audit_replays_total', { outcome })).toBe(1);
    expect(await registryValue(registry, 'audit_chain_last_verified_timestamp_seconds')).toBeGreaterThan(0);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { testKafkaSettings } from '@evalvault/platform/testing';
import { entrypoints, ROOT } from './deploy-files.js';

const entrypoint = (argument: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [join(ROOT, 'infra', 'docker', 'entrypoint.mjs'), argument], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    timeout: 120_000,
  });

/** After `npm run build`: every file the image's entry point runs exists, and a wrong argument is refused. */
describe('the image entry points', () => {
  it('exist in the build', () => {
    const missing = Object.entries(entrypoints()).filter(([, file]) => !existsSync(join(ROOT, file)));
    expect(missing).toEqual([]);
  });

  it('refuse an unknown argument, naming the known ones', () => {
    const run = entrypoint('gatewya');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`usage: entrypoint <${Object.keys(entrypoints()).join('|')}>; got "gatewya"`);
  });

  it('run what they name: kafka-topics waits for the test broker and declares the topics', () => {
    const brokers = testKafkaSettings('entrypoint-test').brokers.join(',');
    const run = entrypoint('kafka-topics', { KAFKA_BROKERS: brokers, KAFKA_READY_TIMEOUT_MS: '60000' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 0,
      stderr: expect.stringContaining(`[kafka] ready at ${brokers}`),
    });
  });
});

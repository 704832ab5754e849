import { pino } from 'pino';
import { LoopHealth } from './loop-health.js';
import { SupervisedLoop, type RunningLoop } from './supervised-loop.js';

const logger = pino({ level: 'silent' });
const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const isReady = (health: LoopHealth): Promise<boolean> =>
  health.readiness.check().then(
    () => true,
    () => false,
  );

/** Waits for what must happen, with a deadline, instead of a fixed sleep a loaded machine may outlast. */
async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick();
  }
}

/** A loop whose incarnations the test fails by hand; `caughtUp` resolves at once unless it has failed. */
function fakeLoop() {
  const incarnations: Array<{ fail: (error: Error) => void; stopped: boolean }> = [];
  let refuseStarts = 0;
  let attempts = 0;
  return {
    incarnations,
    get attempts() {
      return attempts;
    },
    refuseNextStarts(count: number) {
      refuseStarts = count;
    },
    async start(failed: (error: Error) => void): Promise<RunningLoop> {
      attempts += 1;
      if (refuseStarts > 0) {
        refuseStarts -= 1;
        throw new Error('database down');
      }
      const incarnation = { fail: failed, stopped: false };
      incarnations.push(incarnation);
      return {
        stop: async () => {
          incarnation.stopped = true;
        },
        caughtUp: async () => tick(),
      };
    },
  };
}

describe('a supervised loop', () => {
  it('restarts a failed incarnation after a backoff, unready until the new one catches up', async () => {
    const loop = fakeLoop();
    const health = new LoopHealth('relay:test');
    const supervised = new SupervisedLoop({
      health,
      logger,
      policy: { initialBackoffMs: 10, maxBackoffMs: 20 },
      start: (failed) => loop.start(failed),
    });
    await supervised.start();
    expect(loop.incarnations).toHaveLength(1);
    await expect(health.readiness.check()).resolves.toBeUndefined();

    loop.incarnations[0]!.fail(new Error('broker unreachable'));
    await expect(health.readiness.check()).rejects.toThrow('relay:test cannot make progress: broker unreachable');
    await until('a second incarnation', () => loop.incarnations.length === 2);
    expect(loop.incarnations[0]!.stopped).toBe(true);
    await until('ready again', () => isReady(health));
    await supervised.stop();
    expect(loop.incarnations[1]!.stopped).toBe(true);
  });

  it('keeps trying when a restart itself fails, and ignores late signals of old incarnations', async () => {
    const loop = fakeLoop();
    const health = new LoopHealth('consumer:test');
    const supervised = new SupervisedLoop({
      health,
      logger,
      policy: { initialBackoffMs: 5, maxBackoffMs: 10 },
      start: (failed) => loop.start(failed),
    });
    await supervised.start();
    loop.refuseNextStarts(3);
    loop.incarnations[0]!.fail(new Error('broker unreachable'));
    await expect(health.readiness.check()).rejects.toThrow();
    while (loop.incarnations.length < 2) await tick();
    expect(loop.attempts).toBe(5); // the first start, three refused restarts, the one that worked
    await until('ready again', () => isReady(health));
    loop.incarnations[0]!.fail(new Error('stale'));
    await tick(40);
    expect(loop.incarnations).toHaveLength(2);
    await expect(health.readiness.check()).resolves.toBeUndefined();
    await supervised.stop();
  });

  it('does not restart once stopped', async () => {
    const loop = fakeLoop();
    const supervised = new SupervisedLoop({
      health: new LoopHealth('x'),
      logger,
      policy: { initialBackoffMs: 5, maxBackoffMs: 5 },
      start: (failed) => loop.start(failed),
    });
    await supervised.start();
    loop.incarnations[0]!.fail(new Error('boom'));
    await supervised.stop();
    await tick(30);
    expect(loop.incarnations).toHaveLength(1);
  });
});

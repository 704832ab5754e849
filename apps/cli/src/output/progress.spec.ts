import { ProgressDisplay } from './progress.js';

const sink = (isTTY: boolean) => {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
};
const at = (status: 'running' | 'completed', evaluated: number, failed = 0) => ({
  status,
  counts: { total: 100, evaluated, failed },
});

describe('progress display', () => {
  it('writes a plain line per status change and per tenth of the cases when not on a terminal (CI logs)', () => {
    const { stream, written } = sink(false);
    const display = new ProgressDisplay(stream);
    for (let evaluated = 0; evaluated <= 100; evaluated++)
      display.update(at(evaluated === 100 ? 'completed' : 'running', evaluated));
    display.finish();
    expect(written).toHaveLength(11);
    expect(written[0]).toBe('progress: running 0/100 cases\n');
    expect(written.at(-1)).toBe('progress: completed 100/100 cases\n');
    expect(written.every((line) => !line.includes('\r'))).toBe(true);
  });

  it('redraws one bar in place on a terminal and ends on a fresh line', () => {
    const { stream, written } = sink(true);
    const display = new ProgressDisplay(stream);
    display.update(at('running', 40, 2));
    display.update(at('running', 40, 2)); // unchanged: not redrawn
    display.finish();
    expect(written).toEqual([
      `\r\x1b[2K[${'#'.repeat(13)}${'.'.repeat(17)}]  42%  running 42/100 cases (2 failed)`,
      '\n',
    ]);
  });
});

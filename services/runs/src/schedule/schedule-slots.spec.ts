import { ScheduleErrorCode } from './schedule.errors.js';
import { cronOf, dueSlot, nextSlot } from './schedule-slots.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

describe('schedule slots', () => {
  it('is due at the slot itself and not a millisecond before', () => {
    const cron = cronOf('*/5 * * * *', 'UTC');
    expect(dueSlot(cron, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:04:59.999Z'))).toBeNull();
    expect(dueSlot(cron, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:05:00Z'))).toEqual({
      slot: at('2026-01-01T00:05:00Z'),
      skipped: 0,
    });
  });

  it('runs once after downtime: the latest missed slot, counting the ones it stands for', () => {
    const cron = cronOf('0 * * * *', 'UTC'); // hourly; down from 00:30 to 05:10
    expect(dueSlot(cron, at('2026-01-01T00:30:00Z'), at('2026-01-01T05:10:00Z'))).toEqual({
      slot: at('2026-01-01T05:00:00Z'),
      skipped: 4, // 01:00..04:00
    });
  });

  it('nothing is due again once the latest slot was started', () => {
    const cron = cronOf('0 * * * *', 'UTC');
    expect(dueSlot(cron, at('2026-01-01T05:00:00Z'), at('2026-01-01T05:59:59Z'))).toBeNull();
  });

  it('reads the expression in the schedule time zone', () => {
    const cron = cronOf('0 9 * * 1-5', 'America/New_York'); // 09:00 New York, EST = UTC-5 in January
    expect(iso(nextSlot(cron, at('2026-01-02T00:00:00Z')))).toBe('2026-01-02T14:00:00.000Z');
    expect(iso(nextSlot(cron, at('2026-01-02T14:00:00Z')))).toBe('2026-01-05T14:00:00.000Z'); // Monday
  });

  it('spring forward: a local time that does not exist runs once, an hour later in local time', () => {
    const cron = cronOf('30 2 * * *', 'Europe/Paris'); // 29 March 2026: 02:00 CET jumps to 03:00 CEST
    expect(iso(nextSlot(cron, at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(iso(nextSlot(cron, at('2026-03-29T01:30:00Z')))).toBe('2026-03-30T00:30:00.000Z'); // 02:30 CEST
  });

  it('fall back: a local time that occurs twice runs once', () => {
    const cron = cronOf('30 2 * * *', 'Europe/Paris'); // 25 October 2026: 03:00 CEST goes back to 02:00 CET
    const first = nextSlot(cron, at('2026-10-24T12:00:00Z'));
    expect(iso(first)).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextSlot(cron, first!))).toBe('2026-10-26T01:30:00.000Z'); // the next day, 02:30 CET
    expect(dueSlot(cron, first!, at('2026-10-25T01:45:00Z'))).toBeNull(); // 02:30 CET that day: not again
  });

  it('takes six fields with seconds first', () => {
    const cron = cronOf('*/2 * * * * *', 'UTC');
    expect(dueSlot(cron, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:05Z'))).toEqual({
      slot: at('2026-01-01T00:00:04Z'),
      skipped: 1,
    });
  });

  it.each([
    ['61 * * * *', 'UTC', 'cron'],
    ['* * * *', 'UTC', 'cron'],
    ['* * * * * * *', 'UTC', 'cron'],
    ['every day', 'UTC', 'cron'],
    ['* * * * *', 'Mars/Olympus_Mons', 'timeZone'],
    ['* * * * *', '', 'timeZone'],
  ])('refuses %j in %j, naming the field %s', (expression, zone, field) => {
    expect(() => cronOf(expression, zone)).toThrow(
      expect.objectContaining({ code: ScheduleErrorCode.InvalidInput, field }),
    );
  });
});

import { Cron } from 'croner';
import { ScheduleError, ScheduleErrorCode } from './schedule.errors.js';

/** Most missed slots counted after downtime; beyond it the count says "at least". */
const MAX_COUNTED_SLOTS = 1000;

/** The slot a scheduler should start now, and how many earlier slots it stands for (missed while down). */
export interface DueSlot {
  slot: number;
  skipped: number;
}

/**
 * A cron expression read in an IANA time zone, through croner (DST: a local time that does not
 * exist runs at the next one, one that occurs twice runs once). Five fields, or six with seconds
 * first; seven (with years) are refused so every schedule reads the same way.
 */
export function cronOf(expression: string, timeZone: string): Cron {
  assertTimeZone(timeZone);
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6)
    throw invalid('cron', `"${expression}" has ${fields} fields; expected 5 (minute hour day month weekday) or 6`);
  try {
    return new Cron(expression, { timezone: timeZone, paused: true });
  } catch (error) {
    throw invalid('cron', `"${expression}" is not a cron expression (${(error as Error).message})`);
  }
}

/** Intl knows the IANA zones (and their aliases); it refuses anything else. */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw invalid('timeZone', `"${timeZone}" is not an IANA time zone (e.g. Europe/Paris, UTC)`);
  }
}

/**
 * The latest slot in (after, now], if any, with the number of earlier slots in that interval:
 * after downtime a schedule runs once for all the slots it missed, not once per slot.
 */
export function dueSlot(cron: Cron, after: number, now: number): DueSlot | null {
  // croner counts whole seconds before its reference: look from the next second, keep what is not after now.
  const latest = cron.previousRuns(2, new Date(now + 1000)).find((run) => run.getTime() <= now);
  if (!latest || latest.getTime() <= after) return null;
  let skipped = 0;
  for (let at = new Date(after); skipped < MAX_COUNTED_SLOTS; skipped++) {
    const [next] = cron.nextRuns(1, at);
    if (!next || next.getTime() >= latest.getTime()) break;
    at = next;
  }
  return { slot: latest.getTime(), skipped };
}

/** The first slot after `after`: when a scheduler should look again. */
export function nextSlot(cron: Cron, after: number): number | null {
  return cron.nextRuns(1, new Date(after))[0]?.getTime() ?? null;
}

const invalid = (field: string, message: string): ScheduleError =>
  new ScheduleError(ScheduleErrorCode.InvalidInput, message, field);

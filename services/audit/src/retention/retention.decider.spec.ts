import {
  decideRetention,
  prefixToPurge,
  purgeCutoff,
  RetentionRequestError,
  type RetentionCommand,
  type RetentionDecision,
  type TenantRetention,
} from './retention.decider.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 26, 12, 0);
const DELAY = 72 * HOUR;

/** Given a tenant's policy, when a request is decided, then this decision (or none, or this error). */
const given = (policy: TenantRetention) => ({
  when: (command: RetentionCommand) => {
    const decide = (): RetentionDecision | null => decideRetention(command, policy);
    return {
      then: (expected: RetentionDecision | null): void => expect(decide()).toEqual(expected),
      thenThrows: (code: RetentionRequestError['code'], message: string): void => {
        expect(decide).toThrow(RetentionRequestError);
        expect(decide).toThrow(expect.objectContaining({ code, message }));
      },
    };
  },
});

const inForce = (retentionDays: number | null): TenantRetention => ({ retentionDays, pending: null });
const waiting = (retentionDays: number | null, shorterDays: number): TenantRetention => ({
  retentionDays,
  pending: {
    retentionDays: shorterDays,
    reason: 'storage costs',
    requestedAt: NOW - HOUR,
    effectiveAt: NOW - HOUR + DELAY,
    eventId: 'e-scheduled',
  },
});
const set = (retentionDays: number | null, reason?: string | null): RetentionCommand => ({
  type: 'SetRetention',
  retentionDays,
  reason,
  now: NOW,
  shorteningDelayMs: DELAY,
  eventId: 'e-1',
});
const cancel = (reason?: string | null): RetentionCommand => ({ type: 'CancelShortening', reason });

describe('setting the audit retention', () => {
  it('lengthens at once, without a reason', () => {
    given(inForce(30))
      .when(set(90))
      .then({
        change: 'applied',
        payload: { change: 'applied', fromDays: 30, toDays: 90, reason: null, effectiveAt: NOW },
        policy: inForce(90),
      });
  });

  it('keeps entries for ever at once, from any number of days', () => {
    given(inForce(30))
      .when(set(null, ' archive '))
      .then({
        change: 'applied',
        payload: { change: 'applied', fromDays: 30, toDays: null, reason: 'archive', effectiveAt: NOW },
        policy: inForce(null),
      });
  });

  it('changes nothing when asked for the retention in force with nothing waiting', () => {
    given(inForce(30)).when(set(30)).then(null);
    given(inForce(null)).when(set(null)).then(null);
  });

  it('cancels a waiting shortening when asked for the retention in force', () => {
    given(waiting(30, 5))
      .when(set(30, 'no'))
      .then({
        change: 'shortening-cancelled',
        payload: { change: 'shortening-cancelled', fromDays: 30, toDays: 5, reason: 'no', effectiveAt: null },
        policy: inForce(30),
      });
  });

  it('drops a waiting shortening when lengthening', () => {
    given(waiting(30, 5))
      .when(set(90))
      .then({
        change: 'applied',
        payload: { change: 'applied', fromDays: 30, toDays: 90, reason: null, effectiveAt: NOW },
        policy: inForce(90),
      });
  });

  it('refuses a shortening without a reason', () => {
    for (const reason of [undefined, null, '', '   '])
      given(inForce(null))
        .when(set(1, reason))
        .thenThrows('INVALID_INPUT', 'shortening the audit retention from for ever to 1 days needs a reason');
    given(inForce(30))
      .when(set(5))
      .thenThrows('INVALID_INPUT', 'shortening the audit retention from 30 days to 5 days needs a reason');
  });

  it('schedules a shortening after the delay, the longer retention staying in force meanwhile', () => {
    given(inForce(30))
      .when(set(5, ' storage costs '))
      .then({
        change: 'shortening-scheduled',
        payload: {
          change: 'shortening-scheduled',
          fromDays: 30,
          toDays: 5,
          reason: 'storage costs',
          effectiveAt: NOW + DELAY,
        },
        policy: {
          retentionDays: 30,
          pending: {
            retentionDays: 5,
            reason: 'storage costs',
            requestedAt: NOW,
            effectiveAt: NOW + DELAY,
            eventId: 'e-1',
          },
        },
      });
  });

  it('treats any number of days as shorter than for ever', () => {
    given(inForce(null))
      .when(set(3650, 'policy'))
      .then(
        expect.objectContaining({
          change: 'shortening-scheduled',
          policy: expect.objectContaining({ retentionDays: null }),
        }),
      );
  });

  it('keeps the schedule when the same shortening is asked for again while it waits', () => {
    given(waiting(30, 5)).when(set(5, 'again')).then(null);
  });

  it('restarts the delay for another shortening', () => {
    given(waiting(30, 5))
      .when(set(10, 'less'))
      .then({
        change: 'shortening-scheduled',
        payload: { change: 'shortening-scheduled', fromDays: 30, toDays: 10, reason: 'less', effectiveAt: NOW + DELAY },
        policy: {
          retentionDays: 30,
          pending: { retentionDays: 10, reason: 'less', requestedAt: NOW, effectiveAt: NOW + DELAY, eventId: 'e-1' },
        },
      });
  });
});

describe('cancelling a shortening of the audit retention', () => {
  it('drops the waiting shortening, keeping the retention in force', () => {
    given(waiting(200, 1))
      .when(cancel(' typed 1 for 100 '))
      .then({
        change: 'shortening-cancelled',
        payload: {
          change: 'shortening-cancelled',
          fromDays: 200,
          toDays: 1,
          reason: 'typed 1 for 100',
          effectiveAt: null,
        },
        policy: inForce(200),
      });
    given(waiting(null, 1))
      .when(cancel())
      .then(expect.objectContaining({ payload: expect.objectContaining({ fromDays: null, reason: null }) }));
  });

  it('finds nothing to cancel when no shortening waits', () => {
    given(inForce(200)).when(cancel('oops')).thenThrows('NOT_FOUND', 'no shortening of the audit retention is waiting');
  });
});

describe('purging the audit log', () => {
  it('cuts off events older than the retention in force, and nothing kept for ever', () => {
    expect(purgeCutoff(30, NOW)).toBe(NOW - 30 * DAY);
    expect(purgeCutoff(null, NOW)).toBeNull();
  });

  it('purges the prefix before the first entry kept, beyond the anchor', () => {
    expect(prefixToPurge({ headSeq: 6, anchoredSeq: 0, firstKeptSeq: 4 })).toBe(3);
    expect(prefixToPurge({ headSeq: 6, anchoredSeq: 0, firstKeptSeq: null })).toBe(6);
    expect(prefixToPurge({ headSeq: 9, anchoredSeq: 3, firstKeptSeq: 6 })).toBe(5);
  });

  it('purges nothing when the prefix is already behind the anchor', () => {
    expect(prefixToPurge({ headSeq: 6, anchoredSeq: 3, firstKeptSeq: 4 })).toBeNull();
    expect(prefixToPurge({ headSeq: 6, anchoredSeq: 0, firstKeptSeq: 1 })).toBeNull();
  });
});

import { deciderSpec } from '@evalvault/platform/testing';
import {
  decideNotification,
  evolveNotificationWith,
  initialNotificationState,
  type NotificationEvent,
} from './notification.decider.js';
import { sampleIntent } from './testing.js';

const notification = deciderSpec({
  decide: decideNotification,
  evolve: (state, event: NotificationEvent) => evolveNotificationWith(state, [event]),
  initialState: initialNotificationState,
});
const intent = sampleIntent();
const intended: NotificationEvent = { type: 'NotificationIntended', payload: intent };
const retryable = { error: 'jira create issue: HTTP 503', statusCode: 503, retryAfterMs: null, permanent: false };
const attemptFailed = (attempt: number): NotificationEvent => ({
  type: 'NotificationAttemptFailed',
  payload: {
    notificationId: 'n-1',
    attempt,
    error: retryable.error,
    statusCode: 503,
    retryAfterMs: null,
    nextAttemptAt: 5_000,
  },
});
const ids = { notificationId: 'n-1', routeId: 'r-1', triggerEventId: 'e-1' };

describe('notification', () => {
  it('is intended once, whatever redelivers its trigger', () => {
    notification.given([]).when({ type: 'Intend', intent }).then([intended]);
    notification.given([intended]).when({ type: 'Intend', intent }).then([]);
  });

  it('records a Jira delivery as the ticket it created, with the attempts it took', () => {
    notification
      .given([intended, attemptFailed(1)])
      .when({ type: 'RecordDelivery', remoteId: 'OPS-7', remoteUrl: 'https://acme.atlassian.net/browse/OPS-7' })
      .then([
        {
          type: 'TicketCreated',
          payload: { ...ids, system: 'jira', ticketKey: 'OPS-7', ticketUrl: 'https://acme.atlassian.net/browse/OPS-7' },
        },
        { type: 'NotificationDelivered', payload: { ...ids, destinationType: 'jira', remoteId: 'OPS-7', attempts: 2 } },
      ]);
  });

  it('records a PagerDuty resolve as the incident resolved, and a chat message as delivered only', () => {
    const resolve: NotificationEvent = {
      type: 'NotificationIntended',
      payload: sampleIntent({ destinationType: 'pagerduty', action: 'resolve', dedupKey: 'evalvault-r-1-gate-g' }),
    };
    notification
      .given([resolve])
      .when({ type: 'RecordDelivery', remoteId: 'evalvault-r-1-gate-g', remoteUrl: null })
      .then([
        { type: 'IncidentResolved', payload: { ...ids, system: 'pagerduty', dedupKey: 'evalvault-r-1-gate-g' } },
        {
          type: 'NotificationDelivered',
          payload: { ...ids, destinationType: 'pagerduty', remoteId: 'evalvault-r-1-gate-g', attempts: 1 },
        },
      ]);
    const slack: NotificationEvent = {
      type: 'NotificationIntended',
      payload: sampleIntent({ destinationType: 'slack' }),
    };
    notification
      .given([slack])
      .when({ type: 'RecordDelivery', remoteId: null, remoteUrl: null })
      .then([
        { type: 'NotificationDelivered', payload: { ...ids, destinationType: 'slack', remoteId: null, attempts: 1 } },
      ]);
  });

  it('records closing a Jira episode as the incident resolved, never as a ticket created', () => {
    const label = 'evalvault-episode-0000';
    const resolve: NotificationEvent = {
      type: 'NotificationIntended',
      payload: sampleIntent({ triggerType: 'GatePassed', action: 'resolve', dedupKey: label }),
    };
    notification
      .given([resolve])
      .when({ type: 'RecordDelivery', remoteId: 'OPS-1', remoteUrl: 'https://acme.atlassian.net/browse/OPS-1' })
      .then([
        { type: 'IncidentResolved', payload: { ...ids, system: 'jira', dedupKey: label } },
        { type: 'NotificationDelivered', payload: { ...ids, destinationType: 'jira', remoteId: 'OPS-1', attempts: 1 } },
      ]);
  });

  it('schedules another attempt after a retryable failure, and fails for good on the last one', () => {
    notification
      .given([intended])
      .when({ type: 'RecordFailure', failure: retryable, maxAttempts: 3, nextAttemptAt: 5_000 })
      .then([attemptFailed(1)]);
    notification
      .given([intended, attemptFailed(1), attemptFailed(2)])
      .when({ type: 'RecordFailure', failure: retryable, maxAttempts: 3, nextAttemptAt: 9_000 })
      .then([
        {
          type: 'NotificationFailed',
          payload: { ...ids, destinationType: 'jira', error: retryable.error, attempts: 3 },
        },
      ]);
  });

  it('fails at once when the destination refuses for good', () => {
    const refused = { error: 'jira create issue: HTTP 400', statusCode: 400, retryAfterMs: null, permanent: true };
    notification
      .given([intended])
      .when({ type: 'RecordFailure', failure: refused, maxAttempts: 5, nextAttemptAt: 1 })
      .then([
        { type: 'NotificationFailed', payload: { ...ids, destinationType: 'jira', error: refused.error, attempts: 1 } },
      ]);
  });

  it('ignores outcomes once it has one, and before it is intended', () => {
    const delivered: NotificationEvent = {
      type: 'NotificationDelivered',
      payload: { ...ids, destinationType: 'jira', remoteId: 'OPS-1', attempts: 1 },
    };
    notification
      .given([intended, delivered])
      .when({ type: 'RecordDelivery', remoteId: 'OPS-2', remoteUrl: null })
      .then([]);
    notification
      .given([intended, delivered])
      .when({ type: 'RecordFailure', failure: retryable, maxAttempts: 3, nextAttemptAt: 1 })
      .then([]);
    notification.given([]).when({ type: 'RecordDelivery', remoteId: null, remoteUrl: null }).then([]);
  });
});

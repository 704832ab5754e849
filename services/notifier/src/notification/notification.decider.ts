import type {
  IncidentResolvedPayload,
  NotificationAttemptFailedPayload,
  NotificationDeliveredPayload,
  NotificationFailedPayload,
  NotificationIntendedPayload,
  TicketCreatedPayload,
} from '@evalvault/contracts';

/** A notification's stream `notification-<id>`: intent → failed attempts → one outcome. */
export type NotificationEvent =
  | { type: 'NotificationIntended'; payload: NotificationIntendedPayload }
  | { type: 'NotificationAttemptFailed'; payload: NotificationAttemptFailedPayload }
  | { type: 'TicketCreated'; payload: TicketCreatedPayload }
  | { type: 'IncidentResolved'; payload: IncidentResolvedPayload }
  | { type: 'NotificationDelivered'; payload: NotificationDeliveredPayload }
  | { type: 'NotificationFailed'; payload: NotificationFailedPayload };

export interface DeliveryFailure {
  error: string;
  statusCode: number | null;
  retryAfterMs: number | null;
  /** The destination refused for good (a 4xx other than 408/429, an address off the allow-list). */
  permanent: boolean;
}

export type NotificationCommand =
  | { type: 'Intend'; intent: NotificationIntendedPayload }
  | { type: 'RecordDelivery'; remoteId: string | null; remoteUrl: string | null }
  | { type: 'RecordFailure'; failure: DeliveryFailure; maxAttempts: number; nextAttemptAt: number };

export interface NotificationState {
  status: 'none' | 'pending' | 'delivered' | 'failed';
  intent: NotificationIntendedPayload | null;
  /** Attempts that failed so far. */
  failedAttempts: number;
  remoteId: string | null;
  lastError: string | null;
}

export const initialNotificationState: NotificationState = {
  status: 'none',
  intent: null,
  failedAttempts: 0,
  remoteId: null,
  lastError: null,
};

/** Does this failure end the notification (so it is dead-lettered) rather than schedule another attempt? */
export function isFinalFailure(state: NotificationState, failure: DeliveryFailure, maxAttempts: number): boolean {
  return failure.permanent || state.failedAttempts + 1 >= maxAttempts;
}

export function decideNotification(command: NotificationCommand, state: NotificationState): NotificationEvent[] {
  switch (command.type) {
    case 'Intend':
      // Nothing new for a redelivered trigger.
      return state.status === 'none' ? [{ type: 'NotificationIntended', payload: command.intent }] : [];
    case 'RecordDelivery':
      return state.status === 'pending'
        ? delivered(state.intent!, state.failedAttempts + 1, command.remoteId, command.remoteUrl)
        : [];
    case 'RecordFailure':
      return state.status === 'pending' ? failed(state, command) : [];
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function delivered(
  intent: NotificationIntendedPayload,
  attempts: number,
  remoteId: string | null,
  remoteUrl: string | null,
): NotificationEvent[] {
  const { notificationId, routeId, destinationType, triggerEventId } = intent;
  const outcome: NotificationEvent = {
    type: 'NotificationDelivered',
    payload: { notificationId, routeId, destinationType, triggerEventId, remoteId, attempts },
  };
  // A resolve opens nothing: it closed a PagerDuty incident or an episode's Jira issues (dedupKey: its label).
  if ((destinationType === 'pagerduty' || destinationType === 'jira') && intent.action === 'resolve') {
    return [
      {
        type: 'IncidentResolved',
        payload: { notificationId, routeId, system: destinationType, dedupKey: intent.dedupKey, triggerEventId },
      },
      outcome,
    ];
  }
  if ((destinationType === 'jira' || destinationType === 'pagerduty') && remoteId) {
    return [
      {
        type: 'TicketCreated',
        payload: {
          notificationId,
          routeId,
          system: destinationType,
          ticketKey: remoteId,
          ticketUrl: remoteUrl,
          triggerEventId,
        },
      },
      outcome,
    ];
  }
  return [outcome];
}

function failed(
  state: NotificationState,
  command: Extract<NotificationCommand, { type: 'RecordFailure' }>,
): NotificationEvent[] {
  const { notificationId, routeId, destinationType, triggerEventId } = state.intent!;
  const attempt = state.failedAttempts + 1;
  const { failure } = command;
  if (isFinalFailure(state, failure, command.maxAttempts)) {
    return [
      {
        type: 'NotificationFailed',
        payload: { notificationId, routeId, destinationType, triggerEventId, error: failure.error, attempts: attempt },
      },
    ];
  }
  return [
    {
      type: 'NotificationAttemptFailed',
      payload: {
        notificationId,
        attempt,
        error: failure.error,
        statusCode: failure.statusCode,
        retryAfterMs: failure.retryAfterMs,
        nextAttemptAt: command.nextAttemptAt,
      },
    },
  ];
}

export function evolveNotificationWith(
  state: NotificationState,
  events: readonly NotificationEvent[],
): NotificationState {
  let next = state;
  for (const event of events) {
    switch (event.type) {
      case 'NotificationIntended':
        next = { ...next, status: 'pending', intent: event.payload };
        break;
      case 'NotificationAttemptFailed':
        next = { ...next, failedAttempts: event.payload.attempt, lastError: event.payload.error };
        break;
      case 'TicketCreated':
      case 'IncidentResolved':
        break;
      case 'NotificationDelivered':
        next = { ...next, status: 'delivered', remoteId: event.payload.remoteId };
        break;
      case 'NotificationFailed':
        next = { ...next, status: 'failed', failedAttempts: event.payload.attempts, lastError: event.payload.error };
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return next;
}

import type { NotificationIntendedPayload } from '@evalvault/contracts';
import type { Destination } from '@evalvault/service-apis';
import type { NotificationMessage } from '../destinations/message.js';
import type { DeliveryFailure } from '../notification/notification.decider.js';

export interface DeliveryRequest {
  notificationId: string;
  intent: NotificationIntendedPayload;
  destination: Destination;
  message: NotificationMessage;
}

export type AttemptResult =
  | { ok: true; remoteId: string | null; remoteUrl: string | null }
  | { ok: false; failure: DeliveryFailure };

/** One vendor's way of delivering a notification: its format, its auth, its idempotency. */
export interface DestinationAdapter {
  deliver(request: DeliveryRequest): Promise<AttemptResult>;
}

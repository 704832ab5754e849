import type { NotificationIntendedPayload } from '@evalvault/contracts';
import type { NotificationMessage } from '../destinations/message.js';
import type { DeliveryFailure } from '../notification/notification.decider.js';
import type { AnyDestination } from '../routes/destination-kinds.js';

export interface DeliveryRequest {
  notificationId: string;
  /** Whose notification it is (its intent event's envelope): an export reads only its own project's run. */
  tenantId: string;
  projectId: string;
  intent: NotificationIntendedPayload;
  destination: AnyDestination;
  message: NotificationMessage;
}

export type AttemptResult =
  | { ok: true; remoteId: string | null; remoteUrl: string | null }
  | { ok: false; failure: DeliveryFailure };

/** One vendor's way of delivering a notification: its format, its auth, its idempotency. */
export interface DestinationAdapter {
  deliver(request: DeliveryRequest): Promise<AttemptResult>;
}

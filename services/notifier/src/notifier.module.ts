import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EvalVaultEvent, EventOfType, RunRequested } from '@evalvault/contracts';
import type { TriggerEvent } from './dispatch/dispatcher.js';
import type { Notifier } from './notifier.composition.js';
import { DISPATCH, READ_MODEL } from './notifier.consumers.js';

export const NOTIFIER = Symbol('NOTIFIER');

export const TRIGGER_EVENT_TYPES = ['GateFailed', 'GatePassed', 'RunFailed', 'DriftDetected', 'DriftResolved'] as const;
export const READ_MODEL_EVENT_TYPES = [
  'NotificationRouteCreated',
  'NotificationRouteRemoved',
  'NotificationIntended',
  'NotificationAttemptFailed',
  'TicketCreated',
  'IncidentResolved',
  'NotificationDelivered',
  'NotificationFailed',
] as const;

/** Thin edges: each handler turns an event into one call. */
@Controller()
class NotifierEventsController {
  constructor(@Inject(NOTIFIER) private readonly notifier: Notifier) {}

  @EventPattern([...TRIGGER_EVENT_TYPES], DISPATCH)
  async dispatch(@Payload() event: TriggerEvent): Promise<void> {
    await this.notifier.dispatcher.dispatch(event);
  }

  /** A completed run, pushed to the project's tracker exports. */
  @EventPattern('RunCompleted', DISPATCH)
  async export(@Payload() event: EventOfType<'RunCompleted'>): Promise<void> {
    await this.notifier.exports.dispatch(event);
  }

  /**
   * On the dispatch group, so a run's subject is recorded before its RunFailed (same stream, same partition)
   * is dispatched.
   */
  @EventPattern('RunRequested', DISPATCH)
  async rememberRun(@Payload() event: RunRequested): Promise<void> {
    await this.notifier.projection.apply(event);
  }

  @EventPattern([...READ_MODEL_EVENT_TYPES], READ_MODEL)
  async project(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.notifier.projection.apply(event);
  }
}

/** The notifier's event handlers (its composition is notifier.service.ts; the worker starts with the service). */
@Module({})
export class NotifierModule {
  static with(notifier: Notifier): DynamicModule {
    return {
      module: NotifierModule,
      controllers: [NotifierEventsController],
      providers: [{ provide: NOTIFIER, useValue: notifier }],
    };
  }
}

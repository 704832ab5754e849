import type { EvalVaultEvent } from '@evalvault/contracts';
import { inSpanContinuing, LoopHealth, type ReadinessCheck } from '@evalvault/platform';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DeliveryConfig } from '../config.js';
import { messageOf } from '../destinations/message.js';
import { isFinalFailure, type DeliveryFailure, type NotificationState } from '../notification/notification.decider.js';
import { notificationStreamId } from '../notification/notification.ids.js';
import type { NotificationRepository } from '../notification/notification.repository.js';
import type { NotifierProjection } from '../projection/notifier.projection.js';
import type { AnyDestination, AnyDestinationType } from '../routes/destination-kinds.js';
import { refOutOfScope } from '../routes/secret-scope.js';
import { retryDelayMs } from './backoff.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { DeadLetterSink } from './dead-letters.js';
import type { ClaimedNotification, DeliveryQueue } from './delivery-queue.repository.js';
import type { AttemptResult, DestinationAdapter } from './destination.port.js';
import { DeliveryStepError } from './http-call.js';
import type { DeliveryMetrics } from './delivery-metrics.js';

export interface DeliveryWorkerDeps {
  queue: DeliveryQueue;
  notifications: NotificationRepository;
  projection: NotifierProjection;
  adapters: Record<AnyDestinationType, DestinationAdapter>;
  deadLetters: DeadLetterSink;
  metrics: DeliveryMetrics;
  logger: Logger;
  config: DeliveryConfig;
  /**
   * NOTIFIER_SECRET_REF_PREFIXES: a destination's secrets are checked against its route's scope before each
   * attempt.
   */
  secretRefPrefixes: readonly string[];
  owner: string;
  now: () => number;
  random: () => number;
  /** Where the loop's health is exported (`loop_up`); none in unit tests. */
  registry?: Registry;
}

/** One attempt's notification: what recording its outcome needs. */
interface Attempted {
  streamId: string;
  /** The notification's first event: tenant, project and correlation of every later one. */
  intentEvent: EvalVaultEvent;
  state: NotificationState;
  item: ClaimedNotification;
  destination: string;
}

/** The longest wait between polls of a delivery queue that cannot be read (database down). */
const MAX_POLL_BACKOFF_MS = 5_000;

const SYSTEM_ACTOR = { subject: 'system:notifier', authMethod: 'system', apiKeyId: null };

/**
 * Delivers pending notifications: claims due ones, makes one attempt each (through the
 * destination's circuit breaker), and records the outcome on the notification's stream —
 * delivered, another attempt scheduled with backoff (honouring Retry-After), or failed for
 * good and dead-lettered. Everything it knows is on the stream, so a restarted worker
 * carries on where a killed one stopped.
 */
export class DeliveryWorker {
  private readonly breaker: CircuitBreaker;
  /** False while the delivery queue cannot be read (database down); the loop keeps polling and recovers. */
  private readonly health: LoopHealth;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: () => void = () => undefined;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.breaker = new CircuitBreaker({
      threshold: deps.config.breakerThreshold,
      cooldownMs: deps.config.breakerCooldownMs,
    });
    this.health = new LoopHealth('notifier:delivery', deps.registry);
  }

  get readiness(): ReadinessCheck {
    return this.health.readiness;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the deliveries in flight (their outcome recorded), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Claims and delivers what is due now; answers how many it handled (tests drive it directly). */
  async deliverDue(): Promise<number> {
    const claimed = await this.deps.queue.claim(
      this.deps.owner,
      this.deps.config.leaseMs,
      this.deps.config.concurrency,
    );
    await Promise.all(
      claimed.map((item) =>
        this.deliverOne(item).catch((error: unknown) => {
          this.deps.logger.error(
            { err: error, notificationId: item.notificationId },
            'delivery could not be recorded; the lease will expire and it is retried',
          );
        }),
      ),
    );
    return claimed.length;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.deliverDue();
        this.health.progressed();
        failures = 0;
      } catch (error) {
        this.health.failed(error as Error);
        // One line per outage at error level, not one per poll: a database restart is seconds of them.
        const level = failures === 0 ? 'error' : 'debug';
        this.deps.logger[level]({ err: error }, 'delivery queue unavailable; polling again');
        failures += 1;
      }
      if (handled === 0 && this.running)
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, Math.min(this.deps.config.pollMs * 2 ** failures, MAX_POLL_BACKOFF_MS));
        });
    }
  }

  private async deliverOne(item: ClaimedNotification): Promise<void> {
    const { notificationId, routeId } = item;
    const streamId = notificationStreamId(notificationId);
    const { state } = await this.deps.notifications.load(streamId);
    if (state.status !== 'pending') {
      await this.deps.queue.settle(notificationId, state.status === 'delivered' ? 'delivered' : 'failed');
      return;
    }
    const admission = this.breaker.admit(routeId, this.deps.now());
    if (!admission.admitted) {
      await this.deps.queue.release(notificationId, this.deps.owner, admission.retryAt);
      return;
    }
    const intent = state.intent!;
    const destination = JSON.parse(intent.destinationJson) as AnyDestination;
    const stopTimer = this.deps.metrics.duration.startTimer({ destination: destination.type });
    // The first event, read once: tenant and project of the attempt, its trace, the record's causation.
    const intentEvent = await this.deps.notifications.intentEvent(streamId);
    const { tenantId } = intentEvent;
    const refused = this.outOfScope(intentEvent, destination);
    const result = refused
      ? { ok: false as const, failure: refused }
      : await this.holdingLease(item, () =>
          this.attempt(
            {
              notificationId,
              tenantId,
              projectId: item.projectId,
              intent,
              destination,
              message: messageOf(intent, item.projectId),
            },
            destination,
            intentEvent.traceparent,
          ),
        );
    stopTimer({ outcome: result.ok ? 'delivered' : 'failed' });
    if (result.ok) {
      this.breaker.succeeded(routeId);
      await this.record(
        streamId,
        intentEvent,
        { type: 'RecordDelivery', remoteId: result.remoteId, remoteUrl: result.remoteUrl },
        item,
      );
      this.deps.metrics.outcomes.inc({ destination: destination.type, outcome: 'delivered' });
      this.deps.metrics.latency.observe(
        { destination: destination.type },
        Math.max(0, this.deps.now() - intentEvent.occurredAt) / 1000,
      );
      this.deps.logger.info(
        {
          notificationId,
          routeId,
          destination: destination.type,
          remoteId: result.remoteId,
          attempt: state.failedAttempts + 1,
        },
        'notification delivered',
      );
      return;
    }
    if (result.failure.permanent) this.breaker.released(routeId);
    else this.breaker.failed(routeId, this.deps.now());
    await this.recordFailure({ streamId, intentEvent, state, item, destination: destination.type }, result.failure);
  }

  /**
   * Runs the attempt while renewing the notification's lease every third of its length, so an attempt longer
   * than the lease (a tracker export of thousands of cases) is not started a second time by another worker.
   * A worker that dies stops renewing, and the lease runs out as before.
   */
  private async holdingLease<T>(item: ClaimedNotification, attempt: () => Promise<T>): Promise<T> {
    const { leaseMs } = this.deps.config;
    const renew = (): void => {
      this.deps.queue.renew(item.notificationId, this.deps.owner, leaseMs).then(
        (held) => {
          if (!held) this.deps.logger.warn({ notificationId: item.notificationId }, 'delivery lease lost mid-attempt');
        },
        (error: unknown) =>
          this.deps.logger.warn({ err: error, notificationId: item.notificationId }, 'delivery lease not renewed'),
      );
    };
    const timer = setInterval(renew, Math.max(50, Math.floor(leaseMs / 3)));
    try {
      return await attempt();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * A route stored before secrets were scoped may name another team's secret: it is never resolved, and the
   * notification fails for good.
   */
  private outOfScope(intentEvent: EvalVaultEvent, destination: AnyDestination): DeliveryFailure | null {
    const { tenantId, projectId } = intentEvent;
    const refused = refOutOfScope(destination, { tenantId, projectId }, this.deps.secretRefPrefixes);
    if (!refused) return null;
    const error =
      `${refused.field}: secret ${refused.ref} is not one of this tenant and project's ${destination.type} secrets; ` +
      'create the route again with one that is';
    return { error, statusCode: null, retryAfterMs: null, permanent: true };
  }

  private async attempt(
    request: Parameters<DestinationAdapter['deliver']>[0],
    destination: AnyDestination,
    // The delivery continues the trace of the gate outcome that asked for it (the intent event's traceparent).
    traceparent: EvalVaultEvent['traceparent'],
  ): Promise<AttemptResult> {
    try {
      return await inSpanContinuing(
        traceparent,
        `deliver ${destination.type}`,
        { 'evalvault.notification_id': request.notificationId },
        () => this.deps.adapters[destination.type].deliver(request),
      );
    } catch (error) {
      if (error instanceof DeliveryStepError) return { ok: false, failure: error.failure };
      return {
        ok: false,
        failure: {
          error: `unexpected: ${(error as Error).message}`,
          statusCode: null,
          retryAfterMs: null,
          permanent: false,
        },
      };
    }
  }

  private async recordFailure(attempted: Attempted, failure: DeliveryFailure): Promise<void> {
    const { streamId, intentEvent, state, item, destination } = attempted;
    const { config, now, random } = this.deps;
    const attempt = state.failedAttempts + 1;
    const final = isFinalFailure(state, failure, config.maxAttempts);
    // Before the outcome: a crash in between re-runs the attempt, never loses the letter.
    if (final) await this.deps.deadLetters.send(intentEvent, failure.error, attempt);
    const nextAttemptAt = now() + retryDelayMs(config, attempt, failure.retryAfterMs, random);
    await this.record(
      streamId,
      intentEvent,
      { type: 'RecordFailure', failure, maxAttempts: config.maxAttempts, nextAttemptAt },
      item,
    );
    this.deps.metrics.outcomes.inc({ destination, outcome: final ? 'failed' : 'retry' });
    const log = {
      notificationId: item.notificationId,
      routeId: item.routeId,
      destination,
      attempt,
      error: failure.error,
      statusCode: failure.statusCode,
    };
    if (final) this.deps.logger.error(log, 'notification failed; dead-lettered');
    else
      this.deps.logger.warn(
        { ...log, nextAttemptAt: new Date(nextAttemptAt).toISOString() },
        'notification attempt failed; retrying later',
      );
  }

  private async record(
    streamId: string,
    intent: EvalVaultEvent,
    command: Parameters<NotificationRepository['handle']>[1],
    item: ClaimedNotification,
  ): Promise<void> {
    const context = {
      tenantId: intent.tenantId,
      projectId: intent.projectId,
      actor: SYSTEM_ACTOR,
      correlationId: intent.correlationId,
      causationId: intent.eventId,
    };
    const { events } = await this.deps.notifications.handle(streamId, command, context);
    await this.deps.projection.applyAll(events);
    await this.deps.queue.release(item.notificationId, this.deps.owner, null);
  }
}

import type { EvalVaultEvent } from '@evalvault/contracts';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors.js';
import type { EventStore } from '../event-store/event-store.port.js';
import { envelop, type CommandContext, type DomainEvent, type EnvelopeSources } from './envelope.js';

export interface EventSourcedDecider<Command, Event extends DomainEvent, State> {
  decide(command: Command, state: State): Event[];
  evolveWith(state: State, events: readonly Event[]): State;
  initialState: State;
}

interface Loaded<State> {
  state: State;
  /** Last revision folded into the state; null: the stream does not exist. */
  revision: bigint | null;
  /** Tenant and project of the stream's first event: a stream belongs to one scope for ever. */
  owner: Scope | null;
}

export interface Scope {
  tenantId: string;
  projectId: string;
}

/**
 * A command or read named a stream of another tenant or project. Callers answer it exactly as
 * a missing stream (existence is never revealed) and record the attempt as a denied access.
 */
export class ForeignStreamError extends Error {
  constructor(readonly streamId: string) {
    super(`stream ${streamId} belongs to another tenant or project`);
    this.name = 'ForeignStreamError';
  }
}

/** Events read at a time when a stream is caught up with. */
const CATCH_UP_PAGE_SIZE = 200;

export interface HandleResult<State> {
  events: EvalVaultEvent[];
  state: State;
}

/**
 * Loads an aggregate by folding its stream, decides a command, appends the result with
 * the revision it decided on, and on a concurrent write catches up and decides again.
 * Folded states are cached per stream and caught up incrementally, so a worker that
 * handles many commands for one busy run reads each event once.
 */
export class EventSourcedRepository<Command, Event extends DomainEvent, State> {
  private readonly cache = new Map<string, Loaded<State>>();

  constructor(
    private readonly store: EventStore,
    private readonly decider: EventSourcedDecider<Command, Event, State>,
    private readonly sources: EnvelopeSources,
    private readonly options: { maxConflictRetries?: number; cacheSize?: number; catchUpPageSize?: number } = {},
  ) {}

  /** The folded stream; with a scope, a stream of another scope throws ForeignStreamError. */
  async load(streamId: string, scope?: Scope): Promise<Loaded<State>> {
    const loaded = await this.catchUp(streamId);
    if (
      scope &&
      loaded.owner &&
      (loaded.owner.tenantId !== scope.tenantId || loaded.owner.projectId !== scope.projectId)
    ) {
      throw new ForeignStreamError(streamId);
    }
    return loaded;
  }

  async handle(streamId: string, command: Command, context: CommandContext): Promise<HandleResult<State>> {
    const attempts = this.options.maxConflictRetries ?? 20;
    for (let attempt = 1; ; attempt++) {
      const { state, revision, owner } = await this.load(streamId, context);
      const decided = this.decider.decide(command, state);
      if (decided.length === 0) return { events: [], state };
      const events = envelop(streamId, decided, context, this.sources);
      try {
        const result = await this.store.append(streamId, events, revision ?? 'no_stream');
        const next = {
          state: this.decider.evolveWith(state, decided),
          revision: result.nextExpectedRevision,
          owner: owner ?? { tenantId: context.tenantId, projectId: context.projectId },
        };
        this.remember(streamId, next);
        return { events, state: next.state };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= attempts) throw error;
        // Someone else wrote first: catch up with what they wrote and decide again.
      }
    }
  }

  /**
   * Folds what the stream gained since the cached state, a page of events at a time: a process that
   * meets a long stream for the first time (a worker started in the middle of a million-case run,
   * whose stream holds ten thousand batches of results) holds one page, never the whole stream.
   */
  private async catchUp(streamId: string): Promise<Loaded<State>> {
    let loaded = this.cache.get(streamId) ?? { state: this.decider.initialState, revision: null, owner: null };
    const pageSize = this.options.catchUpPageSize ?? CATCH_UP_PAGE_SIZE;
    for (;;) {
      const fromRevision = loaded.revision === null ? 0n : loaded.revision + 1n;
      const recorded = await this.store.readStream(streamId, { fromRevision, maxCount: pageSize });
      if (recorded.length === 0) break;
      const first = recorded[0]!.event;
      loaded = {
        state: this.decider.evolveWith(
          loaded.state,
          recorded.map((r) => r.event as unknown as Event),
        ),
        revision: recorded.at(-1)!.revision,
        owner: loaded.owner ?? { tenantId: first.tenantId, projectId: first.projectId },
      };
      this.remember(streamId, loaded);
      if (recorded.length < pageSize) break;
    }
    return loaded;
  }

  private remember(streamId: string, loaded: Loaded<State>): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, loaded);
    const limit = this.options.cacheSize ?? 1_000;
    if (this.cache.size > limit) this.cache.delete(this.cache.keys().next().value!);
  }
}

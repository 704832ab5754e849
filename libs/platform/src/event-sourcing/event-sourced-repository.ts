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
}

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
    private readonly options: { maxConflictRetries?: number; cacheSize?: number } = {},
  ) {}

  async load(streamId: string): Promise<Loaded<State>> {
    const cached = this.cache.get(streamId) ?? { state: this.decider.initialState, revision: null };
    const fromRevision = cached.revision === null ? 0n : cached.revision + 1n;
    const recorded = await this.store.readStream(streamId, { fromRevision });
    if (recorded.length === 0) return cached;
    const loaded = {
      state: this.decider.evolveWith(cached.state, recorded.map((r) => r.event as unknown as Event)),
      revision: recorded.at(-1)!.revision,
    };
    this.remember(streamId, loaded);
    return loaded;
  }

  async handle(streamId: string, command: Command, context: CommandContext): Promise<HandleResult<State>> {
    const attempts = this.options.maxConflictRetries ?? 20;
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(streamId);
      const decided = this.decider.decide(command, state);
      if (decided.length === 0) return { events: [], state };
      const events = envelop(streamId, decided, context, this.sources);
      try {
        const result = await this.store.append(streamId, events, revision ?? 'no_stream');
        const next = { state: this.decider.evolveWith(state, decided), revision: result.nextExpectedRevision };
        this.remember(streamId, next);
        return { events, state: next.state };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= attempts) throw error;
        // Someone else wrote first: catch up with what they wrote and decide again.
      }
    }
  }

  private remember(streamId: string, loaded: Loaded<State>): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, loaded);
    const limit = this.options.cacheSize ?? 1_000;
    if (this.cache.size > limit) this.cache.delete(this.cache.keys().next().value!);
  }
}

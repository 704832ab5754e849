import { evaluatedCases, type RunRequested } from '@evalvault/contracts';
import {
  EventSourcedRepository,
  type CommandContext,
  type EnvelopeSources,
  type EventStore,
  type HandleResult,
} from '@evalvault/platform';
import {
  decideRun,
  evolveRunWith,
  initialRunState,
  type RunCommand,
  type RunEvent,
  type RunState,
} from './run.decider.js';
import { observeRunEvents, type RunMetrics } from './run-metrics.js';
import { ScoreLists } from './score-lists.js';

/** Events read at a time when a run's scores are gathered (up to 100 cases each, about 40 KB). */
const SCORES_PAGE_SIZE = 50;

/** Run aggregates in the event store, and the one fact about a run its state does not keep. */
export class RunRepository extends EventSourcedRepository<RunCommand, RunEvent, RunState> {
  constructor(
    private readonly events: EventStore,
    sources: EnvelopeSources,
    private readonly metrics?: RunMetrics,
  ) {
    super(events, { decide: decideRun, evolveWith: evolveRunWith, initialState: initialRunState }, sources);
  }

  /** As the base class, then counts what the append recorded (eval_runs_total, eval_cases_total, …). */
  override async handle(
    streamId: string,
    command: RunCommand,
    context: CommandContext,
  ): Promise<HandleResult<RunState>> {
    const result = await super.handle(streamId, command, context);
    if (this.metrics && result.events.length > 0) {
      // The events are recorded: a failed read for a metric must not fail (and so retry) the command.
      await observeRunEvents(this.metrics, result.events, {
        totalCases: result.state.totalCases,
        requestOf: () => this.requestOf(streamId),
      }).catch(() => undefined);
    }
    return result;
  }

  /** The run's `RunRequested` with its envelope (the first event of its stream); null for no such run. */
  async requestOf(streamId: string): Promise<RunRequested | null> {
    const [first] = await this.events.readStream(streamId, { maxCount: 1 });
    return first?.event.type === 'RunRequested' ? first.event : null;
  }

  /**
   * The scores of the run's evaluated cases per metric, for its completion: its stream read a page
   * of events at a time, each score kept as a double, whatever the number of cases.
   */
  async scoresOf(streamId: string): Promise<Map<string, number[]>> {
    const lists = new ScoreLists();
    for (let fromRevision = 0n; ; ) {
      const page = await this.events.readStream(streamId, { fromRevision, maxCount: SCORES_PAGE_SIZE });
      for (const { event } of page)
        if (event.type === 'CaseEvaluated')
          for (const evaluated of evaluatedCases(event.payload)) lists.add(evaluated.scores);
      if (page.length < SCORES_PAGE_SIZE) return lists.toMap();
      fromRevision = page.at(-1)!.revision + 1n;
    }
  }

  /**
   * When the run started: the time its `RunStarted` was recorded (the second event of the stream,
   * right after `RunRequested`); null before the run has started.
   */
  async startedAt(streamId: string): Promise<number | null> {
    const first = await this.events.readStream(streamId, { maxCount: 2 });
    return first.find((recorded) => recorded.event.type === 'RunStarted')?.event.occurredAt ?? null;
  }
}

export const runStreamId = (runId: string): string => `run-${runId}`;
export const batchStreamId = (runId: string, batchNo: number): string => `runbatch-${runId}-${batchNo}`;

/** Streams the runs service owns, and so relays: its runs, their batches and its schedules (`schedule-<id>`). */
export const RUNS_STREAM_PREFIXES = ['run-', 'runbatch-', 'schedule-'] as const;

export function runRepository(store: EventStore, sources: EnvelopeSources, metrics?: RunMetrics): RunRepository {
  return new RunRepository(store, sources, metrics);
}

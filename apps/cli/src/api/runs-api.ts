import type {
  CaseView,
  Page,
  RunComparison,
  RunSummary,
  RunView,
  SubmitRunRequest,
  SubmittedRun,
} from '@evalvault/service-apis';
import type { ApiClient } from './api-client.js';

export interface ListRunsFilter {
  status?: string;
  dataset?: string;
  label?: string;
}

/** The runs routes of the public API (ARCHITECTURE §7), for one project. */
export class RunsApi {
  constructor(
    private readonly client: ApiClient,
    readonly project: string,
  ) {}

  private path(suffix = ''): string {
    return `v1/projects/${encodeURIComponent(this.project)}/runs${suffix}`;
  }

  submit(request: Omit<SubmitRunRequest, 'idempotencyKey'>, idempotencyKey?: string): Promise<SubmittedRun> {
    return this.client.post(this.path(), { body: request, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  get(runId: string): Promise<RunView> {
    return this.client.get(this.path(`/${encodeURIComponent(runId)}`));
  }

  list(filter: ListRunsFilter, limit: number, cursor?: string): Promise<Page<RunSummary>> {
    return this.client.get(this.path(), { query: { ...filter, limit, cursor } });
  }

  /** Every case of the run, following the cursor. */
  async allCases(runId: string): Promise<CaseView[]> {
    const cases: CaseView[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<CaseView> = await this.client.get(this.path(`/${encodeURIComponent(runId)}/cases`), {
        query: { limit: 500, cursor },
      });
      cases.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return cases;
  }

  compare(base: string, candidate: string): Promise<RunComparison> {
    return this.client.get(this.path(`/${encodeURIComponent(base)}/compare/${encodeURIComponent(candidate)}`));
  }

  cancel(runId: string, reason?: string): Promise<{ runId: string; status: string }> {
    return this.client.post(this.path(`/${encodeURIComponent(runId)}/cancel`), { body: reason ? { reason } : {} });
  }

  retry(runId: string, mode: 'all' | 'failed'): Promise<SubmittedRun> {
    return this.client.post(this.path(`/${encodeURIComponent(runId)}/retry`), { body: { mode } });
  }

  /** The run's progress as Server-Sent Events (status and counts, then `done` with the view). */
  events(runId: string, signal?: AbortSignal): Promise<Response> {
    return this.client.open(this.path(`/${encodeURIComponent(runId)}/events`), 'text/event-stream', signal);
  }
}

import { dataOf } from '@evalvault/client';
import type { CaseView, Page, RunComparison, RunSummary, RunView, SubmittedRun } from '@evalvault/service-apis';
import type { ApiClient } from './api-client.js';
import type { Query, SubmitRunBody } from './api-types.js';
import { viewOf } from './view-of.js';

export interface ListRunsFilter {
  /** Passed on as given: the server refuses one it does not know (400 naming the statuses). */
  status?: string;
  dataset?: string;
  label?: string;
}

const RUNS = '/v1/projects/{project}/runs';
const RUN = '/v1/projects/{project}/runs/{runId}';

/**
 * The runs routes of the public API (ARCHITECTURE §7), for one project, through the typed client.
 * The OpenAPI document gives no schema for the answers of GET …/runs, …/runs/{runId}, …/cases and
 * POST …/cancel: those are named here from @evalvault/service-apis, unchecked (see libs/client/README.md).
 */
export class RunsApi {
  constructor(
    private readonly client: ApiClient,
    readonly project: string,
  ) {}

  private run(runId: string) {
    return { path: { project: this.project, runId } };
  }

  submit(request: SubmitRunBody, idempotencyKey?: string): Promise<SubmittedRun> {
    return viewOf(
      this.client.api.POST(RUNS, {
        params: {
          path: { project: this.project },
          ...(idempotencyKey ? { header: { 'Idempotency-Key': idempotencyKey } } : {}),
        },
        body: request,
      }),
    );
  }

  get(runId: string): Promise<RunView> {
    return dataOf<RunView>(this.client.api.GET(RUN, { params: this.run(runId) }));
  }

  list(filter: ListRunsFilter, limit: number, cursor?: string): Promise<Page<RunSummary>> {
    const query = { ...filter, status: filter.status as Query<'getRuns'>['status'], limit, cursor };
    return dataOf<Page<RunSummary>>(this.client.api.GET(RUNS, { params: { path: { project: this.project }, query } }));
  }

  /** Every case of the run, following the cursor. */
  async allCases(runId: string): Promise<CaseView[]> {
    const cases: CaseView[] = [];
    let cursor: string | undefined;
    do {
      const page = await dataOf<Page<CaseView>>(
        this.client.api.GET(`${RUN}/cases`, { params: { ...this.run(runId), query: { limit: 500, cursor } } }),
      );
      cases.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return cases;
  }

  compare(base: string, candidate: string): Promise<RunComparison> {
    return viewOf(
      this.client.api.GET(`${RUN}/compare/{otherRunId}`, {
        params: { path: { project: this.project, runId: base, otherRunId: candidate } },
      }),
    );
  }

  cancel(runId: string, reason?: string): Promise<{ runId: string; status: string }> {
    return dataOf<{ runId: string; status: string }>(
      this.client.api.POST(`${RUN}/cancel`, { params: this.run(runId), body: reason ? { reason } : {} }),
    );
  }

  retry(runId: string, mode: 'all' | 'failed'): Promise<SubmittedRun> {
    return viewOf(this.client.api.POST(`${RUN}/retry`, { params: this.run(runId), body: { mode } }));
  }

  /** The run's progress as Server-Sent Events (status and counts, then `done` with the view): a raw stream. */
  events(runId: string, signal?: AbortSignal): Promise<Response> {
    return this.client.raw('GET', `${RUN}/events`, {
      path: { project: this.project, runId },
      accept: 'text/event-stream',
      ...(signal ? { signal } : {}),
    });
  }
}

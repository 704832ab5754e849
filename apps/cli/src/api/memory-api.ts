import type {
  BehaviourPage,
  FactPage,
  FactView,
  LearningView,
  ListLearningsQuery,
  MemoryDeletionResult,
  MemoryExport,
  MemoryImportResult,
  MemoryPolicyView,
  Page,
  RunInsights,
  SearchBehavioursQuery,
  SearchFactsQuery,
} from '@evalvault/service-apis';
import type { ApiClient } from './api-client.js';
import type { MemoryImportBody, MemoryPolicyBody } from './api-types.js';
import { viewOf } from './view-of.js';

const MEMORY = '/v1/projects/{project}/memory';
const FACT = '/v1/projects/{project}/memory/facts/{factId}';

/**
 * The Domain Memory routes of the public API (`/v1/projects/{project}/memory/…`), for one project,
 * through the typed client: each answer as the service view the commands print, checked against the
 * OpenAPI document's schema of it (view-of.ts).
 */
export class MemoryApi {
  constructor(
    private readonly client: ApiClient,
    readonly project: string,
  ) {}

  private get api() {
    return this.client.api;
  }

  private get params() {
    return { path: { project: this.project } };
  }

  private fact(factId: string) {
    return { path: { project: this.project, factId } };
  }

  searchFacts(query: SearchFactsQuery): Promise<FactPage> {
    return viewOf(this.api.GET(`${MEMORY}/facts`, { params: { ...this.params, query } }));
  }

  getFact(factId: string): Promise<FactView> {
    return viewOf(this.api.GET(FACT, { params: this.fact(factId) }));
  }

  verify(factId: string, reason?: string): Promise<FactView> {
    return viewOf(this.api.POST(`${FACT}/verify`, { params: this.fact(factId), body: reason ? { reason } : {} }));
  }

  reject(factId: string, reason: string): Promise<FactView> {
    return viewOf(this.api.POST(`${FACT}/reject`, { params: this.fact(factId), body: { reason } }));
  }

  forget(target: 'subject' | 'document', value: string): Promise<MemoryDeletionResult> {
    return viewOf(this.api.POST(`${MEMORY}/deletions`, { params: this.params, body: { target, value } }));
  }

  policy(): Promise<MemoryPolicyView> {
    return viewOf(this.api.GET(`${MEMORY}/policy`, { params: this.params }));
  }

  setPolicy(policy: MemoryPolicyBody): Promise<MemoryPolicyView> {
    return viewOf(this.api.PUT(`${MEMORY}/policy`, { params: this.params, body: policy }));
  }

  export(): Promise<MemoryExport> {
    return viewOf(this.api.GET(`${MEMORY}/export`, { params: this.params }));
  }

  searchBehaviours(query: SearchBehavioursQuery): Promise<BehaviourPage> {
    return viewOf(this.api.GET(`${MEMORY}/behaviours`, { params: { ...this.params, query } }));
  }

  learnings(query: ListLearningsQuery): Promise<Page<LearningView>> {
    return viewOf(this.api.GET(`${MEMORY}/learnings`, { params: { ...this.params, query } }));
  }

  insights(runId: string): Promise<RunInsights> {
    return viewOf(
      this.api.GET(`${MEMORY}/runs/{runId}/insights`, { params: { path: { project: this.project, runId } } }),
    );
  }

  import(request: MemoryImportBody): Promise<MemoryImportResult> {
    return viewOf(this.api.POST(`${MEMORY}/import`, { params: this.params, body: request }));
  }
}

import type {
  BehaviourPage,
  FactPage,
  LearningView,
  ListLearningsQuery,
  Page,
  RunInsights,
  SearchBehavioursQuery,
  FactView,
  MemoryDeletionResult,
  MemoryExport,
  MemoryImportRequest,
  MemoryImportResult,
  MemoryPolicyView,
  SearchFactsQuery,
  SetMemoryPolicyRequest,
} from '@evalvault/service-apis';
import type { ApiClient } from './api-client.js';

/** The Domain Memory routes of the public API (`/v1/projects/{project}/memory/…`), for one project. */
export class MemoryApi {
  constructor(
    private readonly client: ApiClient,
    readonly project: string,
  ) {}

  private path(suffix: string): string {
    return `v1/projects/${encodeURIComponent(this.project)}/memory${suffix}`;
  }

  private fact(factId: string, suffix = ''): string {
    return this.path(`/facts/${encodeURIComponent(factId)}${suffix}`);
  }

  searchFacts(query: SearchFactsQuery): Promise<FactPage> {
    return this.client.get(this.path('/facts'), { query: { ...query } });
  }

  getFact(factId: string): Promise<FactView> {
    return this.client.get(this.fact(factId));
  }

  verify(factId: string, reason?: string): Promise<FactView> {
    return this.client.post(this.fact(factId, '/verify'), { body: reason ? { reason } : {} });
  }

  reject(factId: string, reason: string): Promise<FactView> {
    return this.client.post(this.fact(factId, '/reject'), { body: { reason } });
  }

  forget(target: 'subject' | 'document', value: string): Promise<MemoryDeletionResult> {
    return this.client.post(this.path('/deletions'), { body: { target, value } });
  }

  policy(): Promise<MemoryPolicyView> {
    return this.client.get(this.path('/policy'));
  }

  setPolicy(policy: SetMemoryPolicyRequest): Promise<MemoryPolicyView> {
    return this.client.put(this.path('/policy'), { body: policy });
  }

  export(): Promise<MemoryExport> {
    return this.client.get(this.path('/export'));
  }

  searchBehaviours(query: SearchBehavioursQuery): Promise<BehaviourPage> {
    return this.client.get(this.path('/behaviours'), { query: { ...query } });
  }

  learnings(query: ListLearningsQuery): Promise<Page<LearningView>> {
    return this.client.get(this.path('/learnings'), { query: { ...query } });
  }

  insights(runId: string): Promise<RunInsights> {
    return this.client.get(this.path(`/runs/${encodeURIComponent(runId)}/insights`));
  }

  import(request: MemoryImportRequest): Promise<MemoryImportResult> {
    return this.client.post(this.path('/import'), { body: request });
  }
}

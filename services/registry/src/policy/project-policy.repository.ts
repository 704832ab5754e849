import { EventSourcedRepository, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import {
  decideProjectPolicy,
  DEFAULT_PROJECT_POLICY,
  evolveProjectPolicyWith,
  type ProjectPolicyCommand,
  type ProjectPolicyEvent,
  type ProjectPolicyState,
} from './project-policy.decider.js';

export type ProjectPolicyRepository = EventSourcedRepository<
  ProjectPolicyCommand,
  ProjectPolicyEvent,
  ProjectPolicyState
>;

export function projectPolicyRepository(store: EventStore, sources: EnvelopeSources): ProjectPolicyRepository {
  return new EventSourcedRepository(
    store,
    { decide: decideProjectPolicy, evolveWith: evolveProjectPolicyWith, initialState: DEFAULT_PROJECT_POLICY },
    sources,
  );
}

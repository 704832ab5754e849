import { EventSourcedRepository, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import {
  decideResource,
  evolveResourceWith,
  initialResourceState,
  type ResourceCommand,
  type ResourceEvent,
  type ResourceState,
} from './resource.decider.js';

export type ResourceRepository = EventSourcedRepository<ResourceCommand, ResourceEvent, ResourceState>;

export function resourceRepository(store: EventStore, sources: EnvelopeSources): ResourceRepository {
  return new EventSourcedRepository(
    store,
    { decide: decideResource, evolveWith: evolveResourceWith, initialState: initialResourceState },
    sources,
  );
}

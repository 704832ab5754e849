import type {
  DatasetVersionRegisteredPayload,
  ModelProfileVersionRegisteredPayload,
  PromptVersionRegisteredPayload,
  RegistryVersionApprovedPayload,
} from '@evalvault/contracts';
import { RegistryError, RegistryErrorCode } from './resource.errors.js';
import type { ResourceKind } from './resource-kind.js';

/** A version's content as registered; the decider gives it its number. */
export type Registration =
  | { kind: 'dataset'; content: Omit<DatasetVersionRegisteredPayload, 'version'> }
  | { kind: 'prompt'; content: Omit<PromptVersionRegisteredPayload, 'version'> }
  | { kind: 'model_profile'; content: Omit<ModelProfileVersionRegisteredPayload, 'version'> };

export type ResourceCommand =
  | { type: 'RegisterVersion'; registration: Registration }
  | { type: 'ApproveVersion'; kind: ResourceKind; resourceId: string; version: number; comment: string | null };

export type ResourceEvent =
  | { type: 'DatasetVersionRegistered'; payload: DatasetVersionRegisteredPayload }
  | { type: 'PromptVersionRegistered'; payload: PromptVersionRegisteredPayload }
  | { type: 'ModelProfileVersionRegistered'; payload: ModelProfileVersionRegisteredPayload }
  | { type: 'RegistryVersionApproved'; payload: RegistryVersionApprovedPayload };

export interface VersionState {
  version: number;
  contentHash: string;
  approved: boolean;
}

export interface ResourceState {
  kind: ResourceKind | null;
  /** In version order: versions[n - 1] is version n. */
  versions: readonly VersionState[];
}

export const initialResourceState: ResourceState = { kind: null, versions: [] };

/** The version holding this content, if any: identical content is never registered twice. */
export function versionWithContent(state: ResourceState, contentHash: string): VersionState | undefined {
  return state.versions.find((version) => version.contentHash === contentHash);
}

/**
 * Versions are immutable and numbered 1, 2, 3…; registering content some version already
 * has decides nothing (the caller answers with that version), other content is the next
 * version. Approval needs a registered version and happens once.
 */
export function decideResource(command: ResourceCommand, state: ResourceState): ResourceEvent[] {
  switch (command.type) {
    case 'RegisterVersion': {
      const { registration } = command;
      if (state.kind !== null && state.kind !== registration.kind) {
        throw new RegistryError(
          RegistryErrorCode.Conflict,
          `this resource is a ${state.kind}, not a ${registration.kind}`,
        );
      }
      if (versionWithContent(state, registration.content.contentHash)) return [];
      return [registered(registration, state.versions.length + 1)];
    }
    case 'ApproveVersion': {
      const known = state.kind === command.kind ? state.versions[command.version - 1] : undefined;
      if (!known)
        throw new RegistryError(
          RegistryErrorCode.NotFound,
          `${command.kind} ${command.resourceId} has no version ${command.version}`,
        );
      if (known.approved) return [];
      const { kind, resourceId, version, comment } = command;
      return [{ type: 'RegistryVersionApproved', payload: { kind, resourceId, version, comment } }];
    }
    default:
      return unreachable(command);
  }
}

function registered(registration: Registration, version: number): ResourceEvent {
  switch (registration.kind) {
    case 'dataset':
      return { type: 'DatasetVersionRegistered', payload: { ...registration.content, version } };
    case 'prompt':
      return { type: 'PromptVersionRegistered', payload: { ...registration.content, version } };
    case 'model_profile':
      return { type: 'ModelProfileVersionRegistered', payload: { ...registration.content, version } };
    default:
      return unreachable(registration);
  }
}

export function evolveResource(state: ResourceState, event: ResourceEvent): ResourceState {
  switch (event.type) {
    case 'DatasetVersionRegistered':
      return withVersion(state, 'dataset', event.payload);
    case 'PromptVersionRegistered':
      return withVersion(state, 'prompt', event.payload);
    case 'ModelProfileVersionRegistered':
      return withVersion(state, 'model_profile', event.payload);
    case 'RegistryVersionApproved':
      return {
        ...state,
        versions: state.versions.map((v) => (v.version === event.payload.version ? { ...v, approved: true } : v)),
      };
    default:
      return unreachable(event);
  }
}

export function evolveResourceWith(state: ResourceState, events: readonly ResourceEvent[]): ResourceState {
  return events.reduce(evolveResource, state);
}

function withVersion(
  state: ResourceState,
  kind: ResourceKind,
  payload: { version: number; contentHash: string },
): ResourceState {
  return {
    kind,
    versions: [...state.versions, { version: payload.version, contentHash: payload.contentHash, approved: false }],
  };
}

function unreachable(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}

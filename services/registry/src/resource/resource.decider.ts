import type {
  DatasetVersionRegisteredPayload,
  ModelProfileVersionRegisteredPayload,
  PromptVersionRegisteredPayload,
  RegistryVersionApprovedPayload,
  RegistryVersionRejectedPayload,
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
  | { type: 'ApproveVersion'; kind: ResourceKind; resourceId: string; version: number; comment: string | null }
  | { type: 'RejectVersion'; kind: ResourceKind; resourceId: string; version: number; reason: string };

export type ResourceEvent =
  | { type: 'DatasetVersionRegistered'; payload: DatasetVersionRegisteredPayload }
  | { type: 'PromptVersionRegistered'; payload: PromptVersionRegisteredPayload }
  | { type: 'ModelProfileVersionRegistered'; payload: ModelProfileVersionRegisteredPayload }
  | { type: 'RegistryVersionApproved'; payload: RegistryVersionApprovedPayload }
  | { type: 'RegistryVersionRejected'; payload: RegistryVersionRejectedPayload };

/** A version is decided once: approved or rejected, never both, never undone. */
export type VersionDecision = 'approved' | 'rejected' | null;

export interface VersionState {
  version: number;
  contentHash: string;
  decision: VersionDecision;
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
 * version. A registered version is decided once: approved, or rejected with a reason. Deciding it
 * the same way again decides nothing; the other way is a conflict, so a rejected version is never
 * approved (nor an approved one rejected) without a new version.
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
      if (undecided(command, 'approved', state) === 'approved') return [];
      const { kind, resourceId, version, comment } = command;
      return [{ type: 'RegistryVersionApproved', payload: { kind, resourceId, version, comment } }];
    }
    case 'RejectVersion': {
      const reason = command.reason.trim();
      if (reason === '') throw new RegistryError(RegistryErrorCode.InvalidInput, 'reason: rejecting needs a reason');
      if (undecided(command, 'rejected', state) === 'rejected') return [];
      const { kind, resourceId, version } = command;
      return [{ type: 'RegistryVersionRejected', payload: { kind, resourceId, version, reason } }];
    }
    default:
      return unreachable(command);
  }
}

/** The version's decision so far: null, or `wanted` (a repeat); a version missing or decided otherwise throws. */
function undecided(
  command: { kind: ResourceKind; resourceId: string; version: number },
  wanted: Exclude<VersionDecision, null>,
  state: ResourceState,
): VersionDecision {
  const known = state.kind === command.kind ? state.versions[command.version - 1] : undefined;
  if (!known)
    throw new RegistryError(
      RegistryErrorCode.NotFound,
      `${command.kind} ${command.resourceId} has no version ${command.version}`,
    );
  if (known.decision !== null && known.decision !== wanted)
    throw new RegistryError(
      RegistryErrorCode.Conflict,
      `${command.kind} ${command.resourceId} v${command.version} is already ${known.decision}; ` +
        'register a new version instead',
    );
  return known.decision;
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
      return decided(state, event.payload.version, 'approved');
    case 'RegistryVersionRejected':
      return decided(state, event.payload.version, 'rejected');
    default:
      return unreachable(event);
  }
}

export function evolveResourceWith(state: ResourceState, events: readonly ResourceEvent[]): ResourceState {
  return events.reduce(evolveResource, state);
}

function decided(state: ResourceState, version: number, decision: VersionDecision): ResourceState {
  return { ...state, versions: state.versions.map((v) => (v.version === version ? { ...v, decision } : v)) };
}

function withVersion(
  state: ResourceState,
  kind: ResourceKind,
  payload: { version: number; contentHash: string },
): ResourceState {
  return {
    kind,
    versions: [...state.versions, { version: payload.version, contentHash: payload.contentHash, decision: null }],
  };
}

function unreachable(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}

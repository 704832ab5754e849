import type { DataSource } from 'typeorm';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { InboxProjection, type ProjectionEffect } from '@evalvault/platform';
import { onRunFinished, onRunRequested } from './lineage.handlers.js';
import { REGISTRY_SCHEMA } from '../migrations/registry.migrations.js';
import { onVersionApproved, onVersionRegistered, onVersionRejected } from './version.handlers.js';

/** The inbox consumer name of this read model. */
export const REGISTRY_READ_MODEL_CONSUMER = 'registry-read-model';

/** Event types this read model applies: the registry's own, and the runs' for lineage. */
export const REGISTRY_READ_MODEL_EVENT_TYPES = [
  'DatasetVersionRegistered',
  'PromptVersionRegistered',
  'ModelProfileVersionRegistered',
  'RegistryVersionApproved',
  'RegistryVersionRejected',
  'RunRequested',
  'RunCompleted',
  'RunFailed',
  'RunCancelled',
] as const;

/**
 * The registry read model, fed from the bus (and, for read-your-writes, by the commands with
 * the events they just appended; the inbox makes the bus's later copy a no-op). Each event is
 * applied effectively once.
 */
export class RegistryProjection extends InboxProjection {
  constructor(dataSource: DataSource) {
    super(dataSource, REGISTRY_SCHEMA, REGISTRY_READ_MODEL_CONSUMER);
  }

  protected effectOf(event: EvalVaultEvent): ProjectionEffect | null {
    return effectOf(event);
  }
}

function effectOf(event: EvalVaultEvent): ProjectionEffect | null {
  switch (event.type) {
    case 'DatasetVersionRegistered':
    case 'PromptVersionRegistered':
    case 'ModelProfileVersionRegistered':
      return (manager) => onVersionRegistered(manager, event);
    case 'RegistryVersionApproved':
      return (manager) => onVersionApproved(manager, event);
    case 'RegistryVersionRejected':
      return (manager) => onVersionRejected(manager, event);
    case 'RunRequested':
      return (manager) => onRunRequested(manager, event);
    case 'RunCompleted':
    case 'RunFailed':
    case 'RunCancelled':
      return (manager) => onRunFinished(manager, event);
    default:
      return null;
  }
}

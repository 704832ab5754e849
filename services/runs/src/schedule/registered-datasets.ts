import type { EvalVaultEvent, ProjectPolicy, VersionRef } from '@evalvault/contracts';
import { START, type EventStore, type Subscription } from '@evalvault/platform';

interface DatasetVersion {
  ref: VersionRef;
  approved: boolean;
}

const keyOf = (tenantId: string, projectId: string, datasetId: string): string =>
  JSON.stringify([tenantId, projectId, datasetId]);

/**
 * The registered dataset versions, their approvals and each project's policy, as the registry's
 * events tell them, so a scheduler can run a schedule's pinned version or the latest approved one,
 * under the project's policy of now, without asking the registry at each slot. Followed from the
 * event store's log (filtered to the three event types).
 */
export class RegisteredDatasets {
  private readonly versions = new Map<string, Map<number, DatasetVersion>>();
  private readonly policies = new Map<string, ProjectPolicy>();

  /** Follows the log from its start; `caughtUp` resolves once every registered version so far is known. */
  follow(store: EventStore, onError?: (error: Error) => void): Subscription {
    return store.subscribeAll(START, {
      ...(onError ? { onError } : {}),
      filter: { eventTypes: ['DatasetVersionRegistered', 'RegistryVersionApproved', 'ProjectPolicyChanged'] },
      handler: async ({ event }) => this.apply(event),
    });
  }

  apply(event: EvalVaultEvent): void {
    if (event.type === 'DatasetVersionRegistered') {
      const { datasetId, name, version, contentHash } = event.payload;
      const key = keyOf(event.tenantId, event.projectId, datasetId);
      const versions = this.versions.get(key) ?? new Map<number, DatasetVersion>();
      versions.set(version, { ref: { id: datasetId, name, version, contentHash }, approved: false });
      this.versions.set(key, versions);
    } else if (event.type === 'RegistryVersionApproved' && event.payload.kind === 'dataset') {
      const { resourceId, version } = event.payload;
      const known = this.versions.get(keyOf(event.tenantId, event.projectId, resourceId))?.get(version);
      if (known) known.approved = true;
    } else if (event.type === 'ProjectPolicyChanged') {
      this.policies.set(keyOf(event.tenantId, event.projectId, ''), event.payload.policy);
    }
  }

  /** The project's policy in force (null: never set), which a scheduled run is checked against and pins. */
  policyOf(scope: { tenantId: string; projectId: string }): ProjectPolicy | null {
    return this.policies.get(keyOf(scope.tenantId, scope.projectId, '')) ?? null;
  }

  /** The version to run: the pinned one, else the highest approved one; null when there is none (yet). */
  resolve(
    scope: { tenantId: string; projectId: string },
    datasetId: string,
    version: number | null,
  ): VersionRef | null {
    const versions = this.versions.get(keyOf(scope.tenantId, scope.projectId, datasetId));
    if (!versions) return null;
    if (version !== null) {
      const pinned = versions.get(version);
      // A project running approved versions only runs a pinned version once it is approved.
      return pinned && (pinned.approved || !this.policyOf(scope)?.approvedVersionsOnly) ? pinned.ref : null;
    }
    const approved = [...versions.values()].filter((entry) => entry.approved);
    return approved.sort((a, b) => (b.ref.version ?? 0) - (a.ref.version ?? 0))[0]?.ref ?? null;
  }
}

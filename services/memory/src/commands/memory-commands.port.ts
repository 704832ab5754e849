import type { CommandContext, Scope } from '@evalvault/platform';
import type {
  MemoryDeletionRequest,
  MemoryDeletionResult,
  MemoryExport,
  MemoryImportRequest,
  MemoryImportResult,
  MemoryMaintenanceResult,
  MemoryPolicyView,
  SetMemoryPolicyRequest,
} from '@evalvault/service-apis';

/** What the internal API and the scheduler ask of memory's write side (inputs unchecked: the commands check them). */
export interface MemoryCommands {
  /** The project's policy in force (version 0: the defaults). */
  policy(scope: Scope): Promise<MemoryPolicyView>;
  setPolicy(input: SetMemoryPolicyRequest, context: CommandContext): Promise<MemoryPolicyView>;
  verifyFact(factId: unknown, reason: unknown, context: CommandContext): Promise<void>;
  rejectFact(factId: unknown, reason: unknown, context: CommandContext): Promise<void>;
  requestDeletion(input: MemoryDeletionRequest, context: CommandContext): Promise<MemoryDeletionResult>;
  exportTriples(scope: Scope): Promise<MemoryExport>;
  importTriples(input: MemoryImportRequest, context: CommandContext): Promise<MemoryImportResult>;
  /** One maintenance pass of the context's project: decay, forgetting, consolidation, conflicts. */
  maintain(context: CommandContext, trigger: 'schedule' | 'request'): Promise<MemoryMaintenanceResult>;
}

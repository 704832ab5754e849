import type { CommandContext } from '@evalvault/platform';
import type { Principal } from '../auth/principal.js';

/** The envelope context of an event the gateway appends on behalf of the caller. */
export function commandContext(principal: Principal, projectId: string, correlationId: string): CommandContext {
  return {
    tenantId: principal.tenantId,
    projectId,
    correlationId,
    causationId: null,
    actor: { subject: principal.subject, authMethod: principal.authMethod, apiKeyId: principal.apiKeyId },
  };
}

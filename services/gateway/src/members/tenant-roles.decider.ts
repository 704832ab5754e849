import type { ProjectRoleGrantedPayload, ProjectRoleRevokedPayload } from '@evalvault/contracts';
import type { TenantRole } from '../auth/principal.js';
import { membersStreamId } from './members.decider.js';

/**
 * The tenant roles granted to OIDC subjects (`auditor`, `audit-admin`): one stream per tenant,
 * the members stream of project `*` (no project is named so), with the members' own events. A
 * subject may hold both roles; granting one already held changes nothing.
 */
export type TenantRolesEvent =
  | { type: 'ProjectRoleGranted'; payload: ProjectRoleGrantedPayload }
  | { type: 'ProjectRoleRevoked'; payload: ProjectRoleRevokedPayload };

export type TenantRolesCommand =
  | { type: 'Grant'; subject: string; role: TenantRole }
  | { type: 'Revoke'; subject: string; role: TenantRole };

/** `<role> <subject>` of every grant held. */
export type TenantRolesState = ReadonlySet<string>;

/** The project its events name: a tenant role belongs to no project. */
export const TENANT_WIDE_PROJECT = '*';

export class TenantRoleNotFoundError extends Error {
  constructor(
    readonly subject: string,
    readonly role: string,
  ) {
    super(`${subject} does not hold the tenant role ${role}`);
    this.name = 'TenantRoleNotFoundError';
  }
}

const grant = (role: string, subject: string): string => `${role} ${subject}`;

export function decideTenantRoles(command: TenantRolesCommand, state: TenantRolesState): TenantRolesEvent[] {
  const held = state.has(grant(command.role, command.subject));
  const payload = { subject: command.subject, role: command.role };
  if (command.type === 'Grant') return held ? [] : [{ type: 'ProjectRoleGranted', payload }];
  if (!held) throw new TenantRoleNotFoundError(command.subject, command.role);
  return [{ type: 'ProjectRoleRevoked', payload }];
}

export function evolveTenantRolesWith(state: TenantRolesState, events: readonly TenantRolesEvent[]): TenantRolesState {
  const next = new Set(state);
  for (const { type, payload } of events) {
    if (type === 'ProjectRoleGranted') next.add(grant(payload.role, payload.subject));
    else next.delete(grant(payload.role, payload.subject));
  }
  return next;
}

export function tenantRolesStreamId(tenantId: string): string {
  return membersStreamId(tenantId, TENANT_WIDE_PROJECT);
}

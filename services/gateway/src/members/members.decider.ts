import type { ProjectRoleGrantedPayload, ProjectRoleRevokedPayload } from '@evalvault/contracts';
import { createHash } from 'node:crypto';
import type { Role } from '../auth/principal.js';

/**
 * The members of one project: who holds which project role. One role per subject (roles are
 * cumulative, so the highest is all that matters); granting the role already held changes nothing.
 */
export type MembersEvent =
  | { type: 'ProjectRoleGranted'; payload: ProjectRoleGrantedPayload }
  | { type: 'ProjectRoleRevoked'; payload: ProjectRoleRevokedPayload };

export type MembersCommand = { type: 'Grant'; subject: string; role: Role } | { type: 'Revoke'; subject: string };

export type MembersState = ReadonlyMap<string, string>;

export class MemberNotFoundError extends Error {
  constructor(readonly subject: string) {
    super(`${subject} is not a member of this project`);
    this.name = 'MemberNotFoundError';
  }
}

export function decideMembers(command: MembersCommand, state: MembersState): MembersEvent[] {
  const held = state.get(command.subject);
  if (command.type === 'Grant')
    return held === command.role
      ? []
      : [{ type: 'ProjectRoleGranted', payload: { subject: command.subject, role: command.role } }];
  if (held === undefined) throw new MemberNotFoundError(command.subject);
  return [{ type: 'ProjectRoleRevoked', payload: { subject: command.subject, role: held } }];
}

export function evolveMembersWith(state: MembersState, events: readonly MembersEvent[]): MembersState {
  const next = new Map(state);
  for (const event of events) {
    if (event.type === 'ProjectRoleGranted') next.set(event.payload.subject, event.payload.role);
    else next.delete(event.payload.subject);
  }
  return next;
}

/** Stream ids are opaque and global; tenant and project ids are free text, so they are hashed in. */
export function membersStreamId(tenantId: string, projectId: string): string {
  return `members-${createHash('sha256').update(`${tenantId}\u0000${projectId}`).digest('hex').slice(0, 32)}`;
}

/** Streams the gateway owns, and so relays: API keys, project members, denied accesses. */
export const GATEWAY_STREAM_PREFIXES = ['apikey-', 'members-', 'accessdenied-'] as const;

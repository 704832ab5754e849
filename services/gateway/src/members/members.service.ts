import { EventSourcedRepository, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import { EdgeError } from '../http/index.js';
import type { Principal, Role } from '../auth/principal.js';
import { commandContext } from '../access/command-context.js';
import {
  decideMembers,
  evolveMembersWith,
  MemberNotFoundError,
  membersStreamId,
  type MembersCommand,
  type MembersEvent,
  type MembersState,
} from './members.decider.js';
import type { Member, PostgresMemberStore } from './postgres-member.store.js';

export interface MemberView {
  subject: string;
  role: Role;
  grantedAt: string;
  grantedBy: string;
}

const view = (member: Member): MemberView => ({
  subject: member.subject,
  role: member.role,
  grantedAt: member.grantedAt.toISOString(),
  grantedBy: member.grantedBy,
});

/**
 * Project members, owned by the gateway: each project's grants are a stream of
 * ProjectRoleGranted / ProjectRoleRevoked, and a row per member the authenticator reads.
 * The event comes first; the row follows it, and a retried command heals a row a crash left
 * behind (granting again rewrites it, revoking again removes it).
 */
export class MembersService {
  private readonly members: EventSourcedRepository<MembersCommand, MembersEvent, MembersState>;

  constructor(
    store: EventStore,
    private readonly rows: PostgresMemberStore,
    private readonly sources: EnvelopeSources,
  ) {
    this.members = new EventSourcedRepository(
      store,
      { decide: decideMembers, evolveWith: evolveMembersWith, initialState: new Map() },
      sources,
    );
  }

  async grant(
    principal: Principal,
    projectId: string,
    subject: string,
    role: Role,
    correlationId: string,
  ): Promise<MemberView> {
    await this.members.handle(
      membersStreamId(principal.tenantId, projectId),
      { type: 'Grant', subject, role },
      commandContext(principal, projectId, correlationId),
    );
    const existing = await this.rows.find(principal.tenantId, projectId, subject);
    if (existing?.role === role) return view(existing);
    const member = {
      tenantId: principal.tenantId,
      projectId,
      subject,
      role,
      grantedAt: new Date(this.sources.now()),
      grantedBy: principal.subject,
    };
    await this.rows.upsert(member);
    return view(member);
  }

  async revoke(
    principal: Principal,
    projectId: string,
    subject: string,
    correlationId: string,
  ): Promise<{ subject: string; revoked: true }> {
    try {
      await this.members.handle(
        membersStreamId(principal.tenantId, projectId),
        { type: 'Revoke', subject },
        commandContext(principal, projectId, correlationId),
      );
    } catch (error) {
      if (!(error instanceof MemberNotFoundError)) throw error;
      await this.rows.remove(principal.tenantId, projectId, subject);
      throw new EdgeError('NOT_FOUND', error.message);
    }
    await this.rows.remove(principal.tenantId, projectId, subject);
    return { subject, revoked: true };
  }

  async list(principal: Principal, projectId: string): Promise<MemberView[]> {
    return (await this.rows.list(principal.tenantId, projectId)).map(view);
  }
}

import { EventSourcedRepository, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import { EdgeError } from '../http/index.js';
import type { Principal, Role, TenantRole } from '../auth/principal.js';
import { AuthError } from '../auth/auth.errors.js';
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
import type { Member, PostgresMemberStore, TenantMember } from './postgres-member.store.js';
import {
  decideTenantRoles,
  evolveTenantRolesWith,
  TENANT_WIDE_PROJECT,
  TenantRoleNotFoundError,
  tenantRolesStreamId,
  type TenantRolesCommand,
  type TenantRolesEvent,
  type TenantRolesState,
} from './tenant-roles.decider.js';

export interface MemberView {
  subject: string;
  role: Role;
  grantedAt: string;
  grantedBy: string;
}

export interface TenantMemberView {
  subject: string;
  role: TenantRole;
  grantedAt: string;
  grantedBy: string;
}

const tenantView = (member: TenantMember): TenantMemberView => ({
  subject: member.subject,
  role: member.role,
  grantedAt: member.grantedAt.toISOString(),
  grantedBy: member.grantedBy,
});

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
  private readonly tenantRoles: EventSourcedRepository<TenantRolesCommand, TenantRolesEvent, TenantRolesState>;

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
    this.tenantRoles = new EventSourcedRepository(
      store,
      { decide: decideTenantRoles, evolveWith: evolveTenantRolesWith, initialState: new Set() },
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

  /**
   * A tenant role (auditor, audit-admin) for an OIDC subject of the caller's tenant, on the
   * tenant's roles stream. Never to oneself: whoever grants audit roles is not who receives them.
   */
  async grantTenantRole(
    principal: Principal,
    subject: string,
    role: TenantRole,
    correlationId: string,
  ): Promise<TenantMemberView> {
    if (subject === principal.subject)
      throw AuthError.forbidden(`you cannot grant yourself the tenant role ${role}: another admin must`);
    await this.tenantRoles.handle(
      tenantRolesStreamId(principal.tenantId),
      { type: 'Grant', subject, role },
      commandContext(principal, TENANT_WIDE_PROJECT, correlationId),
    );
    const existing = await this.rows.findTenantRole(principal.tenantId, subject, role);
    if (existing) return tenantView(existing);
    const member = {
      tenantId: principal.tenantId,
      subject,
      role,
      grantedAt: new Date(this.sources.now()),
      grantedBy: principal.subject,
    };
    await this.rows.grantTenantRole(member);
    return tenantView(member);
  }

  async revokeTenantRole(
    principal: Principal,
    subject: string,
    role: TenantRole,
    correlationId: string,
  ): Promise<{ subject: string; role: TenantRole; revoked: true }> {
    try {
      await this.tenantRoles.handle(
        tenantRolesStreamId(principal.tenantId),
        { type: 'Revoke', subject, role },
        commandContext(principal, TENANT_WIDE_PROJECT, correlationId),
      );
    } catch (error) {
      if (!(error instanceof TenantRoleNotFoundError)) throw error;
      await this.rows.revokeTenantRole(principal.tenantId, subject, role);
      throw new EdgeError('NOT_FOUND', error.message);
    }
    await this.rows.revokeTenantRole(principal.tenantId, subject, role);
    return { subject, role, revoked: true };
  }

  async listTenantRoles(principal: Principal): Promise<TenantMemberView[]> {
    return (await this.rows.listTenantRoles(principal.tenantId)).map(tenantView);
  }
}

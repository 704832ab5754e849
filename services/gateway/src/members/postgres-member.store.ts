import type { Pool } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isRole, isTenantRole, type Role, type TenantRole } from '../auth/principal.js';

/** Project members as the authenticator reads them: one row per (tenant, project, subject). */
export class CreateMembers1764900000001 implements MigrationInterface {
  name = 'CreateMembers1764900000001';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE gateway.members (
        tenant_id  text NOT NULL,
        project_id text NOT NULL,
        subject    text NOT NULL,
        role       text NOT NULL,
        granted_at timestamptz NOT NULL,
        granted_by text NOT NULL,
        PRIMARY KEY (tenant_id, project_id, subject)
      )`);
    await runner.query(`CREATE INDEX members_subject_idx ON gateway.members (tenant_id, subject)`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE gateway.members`);
  }
}

/** Tenant roles granted to OIDC subjects (auditor, audit-admin): one row per (tenant, subject, role). */
export class CreateTenantMembers1765100000001 implements MigrationInterface {
  name = 'CreateTenantMembers1765100000001';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE gateway.tenant_members (
        tenant_id  text NOT NULL,
        subject    text NOT NULL,
        role       text NOT NULL,
        granted_at timestamptz NOT NULL,
        granted_by text NOT NULL,
        PRIMARY KEY (tenant_id, subject, role)
      )`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE gateway.tenant_members`);
  }
}

export interface Member {
  tenantId: string;
  projectId: string;
  subject: string;
  role: Role;
  grantedAt: Date;
  grantedBy: string;
}

interface Row {
  tenant_id: string;
  project_id: string;
  subject: string;
  role: string;
  granted_at: Date;
  granted_by: string;
}

export interface TenantMember {
  tenantId: string;
  subject: string;
  role: TenantRole;
  grantedAt: Date;
  grantedBy: string;
}

/** Where the authenticator learns the project and tenant roles granted to an OIDC subject. */
export interface MemberDirectory {
  rolesOf(tenantId: string, subject: string): Promise<Record<string, Role[]>>;
  tenantRolesOf(tenantId: string, subject: string): Promise<TenantRole[]>;
}

export class PostgresMemberStore implements MemberDirectory {
  constructor(private readonly pool: Pool) {}

  async upsert(member: Member): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway.members VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, project_id, subject) DO UPDATE
         SET role = EXCLUDED.role, granted_at = EXCLUDED.granted_at, granted_by = EXCLUDED.granted_by`,
      [member.tenantId, member.projectId, member.subject, member.role, member.grantedAt, member.grantedBy],
    );
  }

  async remove(tenantId: string, projectId: string, subject: string): Promise<void> {
    await this.pool.query('DELETE FROM gateway.members WHERE tenant_id = $1 AND project_id = $2 AND subject = $3', [
      tenantId,
      projectId,
      subject,
    ]);
  }

  async find(tenantId: string, projectId: string, subject: string): Promise<Member | null> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM gateway.members WHERE tenant_id = $1 AND project_id = $2 AND subject = $3',
      [tenantId, projectId, subject],
    );
    return rows[0] ? toMember(rows[0]) : null;
  }

  async list(tenantId: string, projectId: string): Promise<Member[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM gateway.members WHERE tenant_id = $1 AND project_id = $2 ORDER BY subject',
      [tenantId, projectId],
    );
    return rows.map(toMember).filter((member): member is Member => member !== null);
  }

  async rolesOf(tenantId: string, subject: string): Promise<Record<string, Role[]>> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM gateway.members WHERE tenant_id = $1 AND subject = $2', [
      tenantId,
      subject,
    ]);
    return Object.fromEntries(
      rows.filter((row) => isRole(row.role)).map((row) => [row.project_id, [row.role as Role]]),
    );
  }

  async grantTenantRole(member: TenantMember): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway.tenant_members VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, subject, role) DO NOTHING`,
      [member.tenantId, member.subject, member.role, member.grantedAt, member.grantedBy],
    );
  }

  async revokeTenantRole(tenantId: string, subject: string, role: TenantRole): Promise<void> {
    await this.pool.query('DELETE FROM gateway.tenant_members WHERE tenant_id = $1 AND subject = $2 AND role = $3', [
      tenantId,
      subject,
      role,
    ]);
  }

  async listTenantRoles(tenantId: string): Promise<TenantMember[]> {
    const { rows } = await this.pool.query<TenantRow>(
      'SELECT * FROM gateway.tenant_members WHERE tenant_id = $1 ORDER BY subject, role',
      [tenantId],
    );
    return rows.map(toTenantMember).filter((member): member is TenantMember => member !== null);
  }

  async findTenantRole(tenantId: string, subject: string, role: TenantRole): Promise<TenantMember | null> {
    const { rows } = await this.pool.query<TenantRow>(
      'SELECT * FROM gateway.tenant_members WHERE tenant_id = $1 AND subject = $2 AND role = $3',
      [tenantId, subject, role],
    );
    return rows[0] ? toTenantMember(rows[0]) : null;
  }

  async tenantRolesOf(tenantId: string, subject: string): Promise<TenantRole[]> {
    const { rows } = await this.pool.query<{ role: string }>(
      'SELECT role FROM gateway.tenant_members WHERE tenant_id = $1 AND subject = $2 ORDER BY role',
      [tenantId, subject],
    );
    return rows.map((row) => row.role).filter(isTenantRole);
  }
}

interface TenantRow {
  tenant_id: string;
  subject: string;
  role: string;
  granted_at: Date;
  granted_by: string;
}

function toTenantMember(row: TenantRow): TenantMember | null {
  if (!isTenantRole(row.role)) return null;
  return {
    tenantId: row.tenant_id,
    subject: row.subject,
    role: row.role,
    grantedAt: row.granted_at,
    grantedBy: row.granted_by,
  };
}

function toMember(row: Row): Member | null {
  if (!isRole(row.role)) return null;
  return {
    tenantId: row.tenant_id,
    projectId: row.project_id,
    subject: row.subject,
    role: row.role,
    grantedAt: row.granted_at,
    grantedBy: row.granted_by,
  };
}

import type { Pool } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isRole, type Role } from '../auth/principal.js';

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

/** Where the authenticator learns the project roles granted to an OIDC subject. */
export interface MemberDirectory {
  rolesOf(tenantId: string, subject: string): Promise<Record<string, Role[]>>;
}

export class PostgresMemberStore implements MemberDirectory {
  constructor(private readonly pool: Pool) {}

  async upsert(member: Member): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway.members VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, project_id, subject) DO UPDATE SET role = EXCLUDED.role, granted_at = EXCLUDED.granted_at, granted_by = EXCLUDED.granted_by`,
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

import type { DataSource } from 'typeorm';
import type { Scope, ContentStore } from '@evalvault/platform';
import { readDataset } from '@evalvault/evaluation';
import type {
  DatasetCase,
  LineageRun,
  Page,
  RegistryPageQuery,
  RegistryReference,
  ResourceSummary,
  VersionSummary,
  VersionView,
} from '@evalvault/service-apis';
import type { ResourceKind } from '../resource/resource-kind.js';
import { RegistryError, RegistryErrorCode } from '../resource/resource.errors.js';
import { CASES_CURSOR, decodeCursor, pageSize, RESOURCES_CURSOR, VERSIONS_CURSOR } from './registry-cursor.js';
import { REGISTRY_SCHEMA as S } from '../migrations/registry.migrations.js';

const LINEAGE_SHOWN = 50;

interface ResourceRow {
  resource_id: string;
  kind: ResourceKind;
  tenant_id: string;
  project_id: string;
  name: string;
  latest_version: number;
  created_at: Date;
  updated_at: Date;
}
interface VersionRow {
  resource_id: string;
  kind: ResourceKind;
  name: string;
  version: number;
  content_hash: string;
  details: VersionSummary['details'];
  registered_by: string | null;
  registered_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
  approval_comment: string | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  rejection_reason: string | null;
}
interface LineageRow {
  run_id: string;
  status: string;
  content_hash: string;
  config_hash: string;
  requested_at: Date;
  finished_at: Date | null;
}

const notFound = (kind: ResourceKind, id: string, version?: number): RegistryError =>
  new RegistryError(
    RegistryErrorCode.NotFound,
    `${kind} ${id}${version === undefined ? '' : ` v${version}`} not found`,
  );

/** What the registry answers, always within one tenant and project; another scope's resource is "not found". */
export class RegistryQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly content: ContentStore,
  ) {}

  async listResources(scope: Scope, kind: ResourceKind, query: RegistryPageQuery): Promise<Page<ResourceSummary>> {
    const limit = pageSize(query.limit, 50, 200);
    const after = query.cursor ? decodeCursor(RESOURCES_CURSOR, query.cursor) : null;
    const rows = await this.dataSource.query<ResourceRow[]>(
      `SELECT * FROM ${S}.resources WHERE tenant_id = $1 AND project_id = $2 AND kind = $3
         AND ($4::text IS NULL OR (name, resource_id) > ($4, $5))
       ORDER BY name, resource_id LIMIT $6`,
      [scope.tenantId, scope.projectId, kind, after?.name ?? null, after?.id ?? '', limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(resourceSummary),
      nextCursor:
        rows.length > limit && last ? RESOURCES_CURSOR.encode({ name: last.name, id: last.resource_id }) : null,
    };
  }

  async getResource(scope: Scope, kind: ResourceKind, id: string): Promise<ResourceSummary> {
    const rows = await this.dataSource.query<ResourceRow[]>(`SELECT * FROM ${S}.resources WHERE resource_id = $1`, [
      id,
    ]);
    const row = rows[0];
    if (!row || row.kind !== kind) throw notFound(kind, id);
    if (row.tenant_id !== scope.tenantId || row.project_id !== scope.projectId)
      throw new RegistryError(RegistryErrorCode.Foreign, `${kind} ${id} not found`);
    return resourceSummary(row);
  }

  async listVersions(
    scope: Scope,
    kind: ResourceKind,
    id: string,
    query: RegistryPageQuery,
  ): Promise<Page<VersionSummary>> {
    const limit = pageSize(query.limit, 50, 200);
    const before = query.cursor ? decodeCursor(VERSIONS_CURSOR, query.cursor).before : null;
    await this.getResource(scope, kind, id);
    const rows = await this.dataSource.query<VersionRow[]>(
      `SELECT * FROM ${S}.versions
        WHERE resource_id = $1 AND tenant_id = $2 AND project_id = $3 AND ($4::int IS NULL OR version < $4)
       ORDER BY version DESC LIMIT $5`,
      [id, scope.tenantId, scope.projectId, before, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(versionSummary),
      nextCursor: rows.length > limit && last ? VERSIONS_CURSOR.encode({ before: last.version }) : null,
    };
  }

  async getVersion(scope: Scope, kind: ResourceKind, id: string, version: number): Promise<VersionView> {
    await this.getResource(scope, kind, id);
    const rows = await this.dataSource.query<VersionRow[]>(
      `SELECT * FROM ${S}.versions WHERE resource_id = $1 AND version = $2 AND tenant_id = $3 AND project_id = $4`,
      [id, version, scope.tenantId, scope.projectId],
    );
    if (!rows[0]) throw notFound(kind, id, version);
    return { ...versionSummary(rows[0]), lineage: await this.lineageOf(scope, id, version) };
  }

  /**
   * The exact version a reference names: a resource by id or by name, at a version number or a
   * label (`latest`, the default; `approved`, the newest approved version, never a rejected one).
   */
  async resolveVersion(scope: Scope, kind: ResourceKind, reference: RegistryReference): Promise<VersionSummary> {
    const resource = await this.resourceOf(scope, kind, reference);
    const label = reference.label ?? 'latest';
    const named = reference.version ?? null;
    const rows = await this.dataSource.query<VersionRow[]>(
      `SELECT * FROM ${S}.versions WHERE resource_id = $1 AND tenant_id = $2 AND project_id = $3
         AND ($4::int IS NULL OR version = $4)
         AND ($5::boolean IS FALSE OR (approved_at IS NOT NULL AND rejected_at IS NULL))
       ORDER BY version DESC LIMIT 1`,
      [resource.id, scope.tenantId, scope.projectId, named, named === null && label === 'approved'],
    );
    if (rows[0]) return versionSummary(rows[0]);
    if (named !== null) throw notFound(kind, resource.id, named);
    throw new RegistryError(RegistryErrorCode.NotFound, `${kind} ${resource.name} has no ${label} version`);
  }

  private async resourceOf(scope: Scope, kind: ResourceKind, reference: RegistryReference): Promise<ResourceSummary> {
    if (reference.id) {
      const resource = await this.getResource(scope, kind, reference.id);
      if (reference.name && reference.name !== resource.name)
        throw new RegistryError(RegistryErrorCode.InvalidInput, `${kind} ${reference.id} is named ${resource.name}`);
      return resource;
    }
    if (!reference.name) throw new RegistryError(RegistryErrorCode.InvalidInput, `a ${kind} is named by id or name`);
    const rows = await this.dataSource.query<ResourceRow[]>(
      `SELECT * FROM ${S}.resources WHERE tenant_id = $1 AND project_id = $2 AND kind = $3 AND name = $4`,
      [scope.tenantId, scope.projectId, kind, reference.name],
    );
    if (!rows[0]) throw new RegistryError(RegistryErrorCode.NotFound, `${kind} named ${reference.name} not found`);
    return resourceSummary(rows[0]);
  }

  /** A page of a dataset version's cases, streamed from the content store (only the page is held). */
  async datasetCases(scope: Scope, id: string, version: number, query: RegistryPageQuery): Promise<Page<DatasetCase>> {
    const limit = pageSize(query.limit, 50, 500);
    const after = query.cursor ? decodeCursor(CASES_CURSOR, query.cursor).after : 0;
    const { contentHash } = await this.getVersion(scope, 'dataset', id, version);
    const items: DatasetCase[] = [];
    let index = 0;
    let more = false;
    for await (const row of readDataset(await this.content.get(contentHash), 'jsonl')) {
      if (row.kind !== 'case' || index++ < after) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      const { id: caseId, question, answer, contexts, groundTruth, metadata } = row.testCase;
      items.push({
        id: caseId,
        question,
        answer,
        contexts,
        ...(groundTruth === null ? {} : { ground_truth: groundTruth }),
        ...(metadata ? { metadata } : {}),
      });
    }
    return { items, nextCursor: more ? CASES_CURSOR.encode({ after: after + limit }) : null };
  }

  private async lineageOf(scope: Scope, id: string, version: number): Promise<VersionView['lineage']> {
    const params = [id, version, scope.tenantId, scope.projectId];
    const where = 'resource_id = $1 AND version = $2 AND tenant_id = $3 AND project_id = $4';
    const [{ total }] = await this.dataSource.query<[{ total: number }]>(
      `SELECT count(*)::int AS total FROM ${S}.lineage WHERE ${where}`,
      params,
    );
    const rows = await this.dataSource.query<LineageRow[]>(
      `SELECT run_id, status, content_hash, config_hash, requested_at, finished_at FROM ${S}.lineage
        WHERE ${where} ORDER BY requested_at DESC, run_id DESC LIMIT ${LINEAGE_SHOWN}`,
      params,
    );
    return { total, runs: rows.map(lineageRun) };
  }
}

function resourceSummary(row: ResourceRow): ResourceSummary {
  return {
    kind: row.kind,
    id: row.resource_id,
    name: row.name,
    latestVersion: row.latest_version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function versionSummary(row: VersionRow): VersionSummary {
  return {
    kind: row.kind,
    id: row.resource_id,
    name: row.name,
    version: row.version,
    contentHash: row.content_hash,
    registeredBy: row.registered_by,
    registeredAt: row.registered_at.toISOString(),
    approval: row.approved_at
      ? { approvedBy: row.approved_by, approvedAt: row.approved_at.toISOString(), comment: row.approval_comment }
      : null,
    rejection: row.rejected_at
      ? { rejectedBy: row.rejected_by, rejectedAt: row.rejected_at.toISOString(), reason: row.rejection_reason ?? '' }
      : null,
    details: row.details,
  };
}

function lineageRun(row: LineageRow): LineageRun {
  return {
    runId: row.run_id,
    status: row.status,
    contentHash: row.content_hash,
    configHash: row.config_hash,
    requestedAt: row.requested_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

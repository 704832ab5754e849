import type { DataSource } from 'typeorm';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { InboxProjection, type ProjectionEffect } from '@evalvault/platform';
import { LiveSealer } from '../subjects/sealers.js';
import { SubjectKeys } from '../subjects/subject-keys.js';
import { AUDIT_SCHEMA } from '../migrations/audit.migrations.js';
import { appendEntry } from './audit-log.writer.js';
import { buildEntry } from './entry-builder.js';
import { sqlOfManager } from './sql.js';

/** The inbox consumer name of the audit log. */
export const AUDIT_LOG_CONSUMER = 'audit-log';

/**
 * The audit log, fed with every event of every topic. Each event becomes one entry,
 * effectively once: the inbox row, the key rows, the entry and the chain head move in one
 * transaction. A SubjectForgotten also destroys the subject's key in that transaction.
 */
export class AuditProjection extends InboxProjection {
  constructor(dataSource: DataSource) {
    super(dataSource, AUDIT_SCHEMA, AUDIT_LOG_CONSUMER);
  }

  /** Every event is recorded. */
  protected effectOf(event: EvalVaultEvent): ProjectionEffect {
    return async (manager) => {
      const sql = sqlOfManager(manager);
      const keys = new SubjectKeys(sql);
      const entry = await buildEntry(event, new LiveSealer(keys));
      if (event.type === 'SubjectForgotten') await keys.destroy(event.tenantId, entry.target!.pseudonym);
      await appendEntry(sql, entry);
    };
  }
}

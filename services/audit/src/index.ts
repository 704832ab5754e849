// What composes the audit service elsewhere (the embedded platform): its declaration, migrations and parts.
export { AUDIT_SERVICE, composeAuditParts, type AuditParts } from './audit.service.js';
export { AuditModule } from './audit.module.js';
export { AUDIT_MIGRATIONS, AUDIT_SCHEMA } from './migrations/audit.migrations.js';
export { auditOperationHandlers, auditStreamHandlers } from './api/audit-internal-api.js';
export { loadConfig as loadAuditConfig, type AuditConfig } from './config.js';
export { retentionStreamId } from './retention/audit-retention.js';
export { AuditReplay } from './verify/audit-replay.js';
export { replayMetrics } from './verify/replay-metrics.js';

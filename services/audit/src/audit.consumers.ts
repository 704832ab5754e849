/** The audit log's consumer group (its own bus server, see audit.runtime.ts). */
export const AUDIT_LOG = Symbol('audit-log');

import type { RouteDoc, RouteKey } from '../route-doc.js';
import { ACCESS_DOCS } from './access.docs.js';
import { AUDIT_DOCS } from './audit.docs.js';
import { EXPORTS_DOCS } from './exports.docs.js';
import { NOTIFICATIONS_DOCS } from './notifications.docs.js';
import { MEMORY_DOCS } from './memory.docs.js';
import { OPERATIONS_DOCS } from './operations.docs.js';
import { REGISTRY_DOCS } from './registry.docs.js';
import { RUNS_DOCS } from './runs.docs.js';
import { SCHEDULES_DOCS } from './schedules.docs.js';

/** Every route the gateway serves, documented: a route served without an entry here stops the document. */
export const ROUTE_DOCS: Readonly<Record<RouteKey, RouteDoc>> = {
  ...OPERATIONS_DOCS,
  ...RUNS_DOCS,
  ...SCHEDULES_DOCS,
  ...REGISTRY_DOCS,
  ...MEMORY_DOCS,
  ...NOTIFICATIONS_DOCS,
  ...EXPORTS_DOCS,
  ...ACCESS_DOCS,
  ...AUDIT_DOCS,
};

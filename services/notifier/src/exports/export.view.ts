import type { ExportDestination, ExportTrigger, ExportView } from '@evalvault/service-apis';
import type { ActiveRoute } from '../projection/notifier.queries.js';

/** An export as the API shows it: the route it is stored as, under the export's names. */
export function exportView(route: ActiveRoute): ExportView {
  return {
    exportId: route.routeId,
    projectId: route.projectId,
    name: route.name,
    on: route.on as ExportTrigger[],
    destination: route.destination as ExportDestination,
    createdBy: route.createdBy,
    createdAt: route.createdAt,
  };
}

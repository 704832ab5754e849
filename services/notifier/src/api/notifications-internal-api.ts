import type { CommandContext, InternalIdentity, OperationHandlers } from '@evalvault/platform';
import { ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import type { NotificationsOperations } from '@evalvault/service-apis';
import { NotifierError, NotifierErrorCode } from '../notifier.errors.js';
import { exportView } from '../exports/export.view.js';
import { exportRoutes, notificationRoutes, publicRoute, type NotifierQueries } from '../projection/notifier.queries.js';
import { isExportDestination } from '../routes/destination-kinds.js';
import type { RouteCommands } from '../routes/route.commands.js';

/** Notifier errors as the gateway should see them: one table. */
const CODE_FOR: Record<NotifierErrorCode, ServiceClientErrorCode> = {
  [NotifierErrorCode.RouteNotFound]: ServiceClientErrorCode.NotFound,
  [NotifierErrorCode.RouteConflict]: ServiceClientErrorCode.Conflict,
  [NotifierErrorCode.InvalidInput]: ServiceClientErrorCode.InvalidInput,
  [NotifierErrorCode.EgressRefused]: ServiceClientErrorCode.InvalidInput,
};

function translated<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof NotifierError) throw new ServiceClientError(CODE_FOR[error.code], error.message);
    throw error;
  });
}

function scopeOf(identity: InternalIdentity): { tenantId: string; projectId: string } {
  if (!identity.projectId)
    throw new ServiceClientError(
      ServiceClientErrorCode.InvalidInput,
      'notification routes belong to a project: the identity names none',
    );
  return { tenantId: identity.tenantId, projectId: identity.projectId };
}

const notFound = (routeId: string): NotifierError =>
  new NotifierError(NotifierErrorCode.RouteNotFound, `route ${routeId} not found`);

/** The notifier's operations behind the service client port; thin: one call each. */
export function notificationsOperationHandlers(
  routes: RouteCommands,
  queries: NotifierQueries,
  newId: () => string,
): OperationHandlers<NotificationsOperations> {
  const context = (identity: InternalIdentity): CommandContext => ({
    ...scopeOf(identity),
    actor: identity.actor,
    correlationId: newId(),
    causationId: null,
  });
  return {
    createRoute: (input, identity) => translated(() => routes.create(input, context(identity))),
    deleteRoute: (input, identity) => translated(() => routes.remove(input.routeId, context(identity))),
    listRoutes: (_input, identity) =>
      translated(async () => {
        const { tenantId, projectId } = scopeOf(identity);
        return { items: notificationRoutes(await queries.activeRoutes(tenantId, projectId)).map(publicRoute) };
      }),
    getRoute: (input, identity) =>
      translated(async () => {
        const { tenantId, projectId } = scopeOf(identity);
        const route = await queries.getRoute(tenantId, projectId, input.routeId);
        if (!route || isExportDestination(route.destination)) throw notFound(input.routeId);
        return publicRoute(route);
      }),
    createExport: (input, identity) => translated(() => routes.createExport(input, context(identity))),
    deleteExport: (input, identity) => translated(() => routes.removeExport(input.exportId, context(identity))),
    listExports: (_input, identity) =>
      translated(async () => {
        const { tenantId, projectId } = scopeOf(identity);
        return { items: exportRoutes(await queries.activeRoutes(tenantId, projectId)).map(exportView) };
      }),
    listNotifications: (input, identity) =>
      translated(() => {
        const { tenantId, projectId } = scopeOf(identity);
        return queries.listNotifications(tenantId, projectId, input);
      }),
  };
}

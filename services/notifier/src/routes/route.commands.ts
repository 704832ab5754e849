import type { CommandContext, SecretResolver } from '@evalvault/platform';
import type { CreateExportRequest, CreateRouteRequest, ExportView, RouteView } from '@evalvault/service-apis';
import { exportView } from '../exports/export.view.js';
import { validateExport } from '../exports/export.validation.js';
import { NotifierError, NotifierErrorCode } from '../notifier.errors.js';
import { exportIdFor, routeIdFor, routeStreamId } from '../notification/notification.ids.js';
import type { RouteRepository } from '../notification/notification.repository.js';
import type { NotifierProjection } from '../projection/notifier.projection.js';
import { publicRoute, type ActiveRoute, type NotifierQueries } from '../projection/notifier.queries.js';
import { isExportDestination, type AnyDestination } from './destination-kinds.js';
import { requireEgress, validateRoute, type RoutePolicy } from './route.validation.js';
import { fileEscapesScope, secretRefsOf, type SecretScope } from './secret-scope.js';

/**
 * Creating and removing routes: validate (secret references must be of the route's tenant,
 * project and destination kind), check every secret reference resolves (and that a webhook
 * URL it holds is on the egress allow-list), append, and project at once so the route is
 * listed and used from the next event on.
 */
export class RouteCommands {
  constructor(
    private readonly routes: RouteRepository,
    private readonly projection: NotifierProjection,
    private readonly queries: NotifierQueries,
    private readonly secrets: SecretResolver,
    private readonly policy: RoutePolicy,
  ) {}

  async create(request: CreateRouteRequest, context: CommandContext): Promise<RouteView> {
    const scope = { tenantId: context.tenantId, projectId: context.projectId };
    const route = validateRoute(request, this.policy, scope);
    const routeId = routeIdFor(context.tenantId, context.projectId, route.name);
    return publicRoute(await this.append(routeId, route, context));
  }

  /** An export is a route of its own id space whose destination is a tracker (see exports/). */
  async createExport(request: CreateExportRequest, context: CommandContext): Promise<ExportView> {
    const scope = { tenantId: context.tenantId, projectId: context.projectId };
    const valid = validateExport(request, this.policy, scope);
    const exportId = exportIdFor(context.tenantId, context.projectId, valid.name);
    return exportView(await this.append(exportId, { ...valid, severity: 'info' }, context));
  }

  private async append(
    routeId: string,
    route: { name: string; on: string[]; severity: string; destination: AnyDestination },
    context: CommandContext,
  ): Promise<ActiveRoute> {
    await this.checkSecrets(route.destination, { tenantId: context.tenantId, projectId: context.projectId });
    const { events } = await this.routes.handle(
      routeStreamId(routeId),
      {
        type: 'CreateRoute',
        route: {
          routeId,
          name: route.name,
          on: route.on,
          severity: route.severity,
          destinationType: route.destination.type,
          destinationJson: JSON.stringify(route.destination),
        },
      },
      context,
    );
    await this.projection.applyAll(events);
    const created = await this.queries.getRoute(context.tenantId, context.projectId, routeId);
    if (!created) throw new Error(`route ${routeId} was not projected`);
    return created;
  }

  async remove(routeId: string, context: CommandContext): Promise<RouteView> {
    return publicRoute(await this.removeOf(routeId, false, context));
  }

  async removeExport(exportId: string, context: CommandContext): Promise<ExportView> {
    return exportView(await this.removeOf(exportId, true, context));
  }

  /** A route id under /exports names no notification route, and the other way round. */
  private async removeOf(routeId: string, isExport: boolean, context: CommandContext): Promise<ActiveRoute> {
    const route = await this.queries.getRoute(context.tenantId, context.projectId, routeId);
    if (!route || isExportDestination(route.destination) !== isExport) {
      const what = isExport ? 'export' : 'route';
      throw new NotifierError(NotifierErrorCode.RouteNotFound, `${what} ${routeId} not found`);
    }
    const { events } = await this.routes.handle(routeStreamId(routeId), { type: 'RemoveRoute' }, context);
    await this.projection.applyAll(events);
    return route;
  }

  /** A route that could never deliver is refused now, with the field that is wrong; no secret value is ever echoed. */
  private async checkSecrets(destination: AnyDestination, scope: SecretScope): Promise<void> {
    for (const { field, ref, kind } of secretRefsOf(destination)) {
      if (ref.startsWith('file:') && (await fileEscapesScope(ref, scope, kind, this.policy.secretRefPrefixes))) {
        throw new NotifierError(
          NotifierErrorCode.InvalidInput,
          `${field}: secret ${ref} links out of this tenant and project's ${kind} secrets`,
        );
      }
      let value: string;
      try {
        value = await this.secrets(ref);
      } catch {
        throw new NotifierError(
          NotifierErrorCode.InvalidInput,
          `${field}: secret ${ref} cannot be resolved by the notifier`,
        );
      }
      if (field === 'destination.webhookUrlRef')
        requireEgress(value, `${field} (the webhook URL in ${ref})`, this.policy);
    }
  }
}

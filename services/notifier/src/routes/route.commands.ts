import type { CommandContext, SecretResolver } from '@evalvault/platform';
import type { CreateRouteRequest, RouteView } from '@evalvault/service-apis';
import { NotifierError, NotifierErrorCode } from '../notifier.errors.js';
import { routeIdFor, routeStreamId } from '../notification/notification.ids.js';
import type { RouteRepository } from '../notification/notification.repository.js';
import type { NotifierProjection } from '../projection/notifier.projection.js';
import { publicRoute, type NotifierQueries } from '../projection/notifier.queries.js';
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
    await this.checkSecrets(route.destination, scope);
    const routeId = routeIdFor(context.tenantId, context.projectId, route.name);
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
    return publicRoute(created);
  }

  async remove(routeId: string, context: CommandContext): Promise<RouteView> {
    const route = await this.queries.getRoute(context.tenantId, context.projectId, routeId);
    if (!route) throw new NotifierError(NotifierErrorCode.RouteNotFound, `route ${routeId} not found`);
    const { events } = await this.routes.handle(routeStreamId(routeId), { type: 'RemoveRoute' }, context);
    await this.projection.applyAll(events);
    return publicRoute(route);
  }

  /** A route that could never deliver is refused now, with the field that is wrong; no secret value is ever echoed. */
  private async checkSecrets(destination: CreateRouteRequest['destination'], scope: SecretScope): Promise<void> {
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

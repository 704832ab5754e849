/**
 * The routes anyone may call: operations probes, the API description, the web console's files and the
 * schemas. Everything else the gateway serves needs a principal: deny by default. Decided on the route
 * the router matched (`request.routeOptions.url`, a pattern such as `/v1/projects/:project/runs`), never on the
 * raw request line, which may be percent-encoded (`/%761/…`) or in absolute form
 * (`http://host/v1/…`) and still reach the same handler.
 */
const PUBLIC_ROUTES = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json', '/']);
/**
 * /console: the web console's static files, which sign in by calling /v1 with the user's credential.
 * /schema-registry: the published Avro schemas in Confluent's API, the same for every tenant (see schema-registry/).
 */
const PUBLIC_PREFIXES = ['/docs', '/console', '/schema-registry'];

/** `undefined`: no route matched; the not-found answer needs no principal. */
export function isPublicRoute(pattern: string | undefined): boolean {
  if (pattern === undefined) return true;
  return (
    PUBLIC_ROUTES.has(pattern) ||
    PUBLIC_PREFIXES.some((prefix) => pattern === prefix || pattern.startsWith(`${prefix}/`))
  );
}

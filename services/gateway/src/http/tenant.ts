/**
 * The caller's tenant, as the auth layer leaves it on the request (`request.principal`). Read
 * structurally: the auth layer owns the Principal type and its declaration on FastifyRequest.
 */
export function tenantOf(request: object): string | undefined {
  const principal = (request as { principal?: { tenantId?: unknown } | null }).principal;
  const tenantId = principal?.tenantId;
  return typeof tenantId === 'string' && tenantId.length > 0 ? tenantId : undefined;
}

/** Who within the tenant calls (an API key's `api-key:<id>`, an OIDC subject), read the same way. */
export function callerOf(request: object): string | undefined {
  const subject = (request as { principal?: { subject?: unknown } | null }).principal?.subject;
  return typeof subject === 'string' && subject.length > 0 ? subject : undefined;
}

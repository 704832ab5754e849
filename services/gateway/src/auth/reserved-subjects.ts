/**
 * Subjects the platform writes for its own actors: API keys (`api-key:<id>`) and the system
 * (`system:<part>`). An identity provider's `sub` or a granted member must never take one of
 * these, or its actions would be audited under a key or the system (the embedded issuer
 * namespaces its users as `local:<name>` for the same reason).
 */
export const RESERVED_SUBJECT_PREFIXES = ['api-key:', 'system:'] as const;

export function isReservedSubject(subject: string): boolean {
  return RESERVED_SUBJECT_PREFIXES.some((prefix) => subject.toLowerCase().startsWith(prefix));
}

/** The same rule as a JSON-schema pattern, for request bodies. */
export const UNRESERVED_SUBJECT_PATTERN =
  '^(?![Aa][Pp][Ii]-[Kk][Ee][Yy]:|[Ss][Yy][Ss][Tt][Ee][Mm]:)[^\\u0000-\\u001f\\u007f]+$';

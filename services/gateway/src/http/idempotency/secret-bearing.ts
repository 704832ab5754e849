import { SetMetadata } from '@nestjs/common';

const SECRET_BEARING = Symbol('evalvault:secret-bearing-response');

/**
 * Marks a route whose answer carries a secret shown once (a new API key). Its answer is sent
 * with `Cache-Control: no-store` and never stored for an Idempotency-Key replay: the key is
 * remembered with a marker only, and a replay is refused (409), so no table or backup holds
 * the secret in clear.
 */
export const SecretBearing = (): MethodDecorator => SetMetadata(SECRET_BEARING, true);

export function isSecretBearing(handler: object): boolean {
  return Reflect.getMetadata(SECRET_BEARING, handler) === true;
}

/** What is stored instead of a secret-bearing answer. */
export const WITHHELD_BODY = { evalvaultWithheld: 'secret-bearing response, not stored' } as const;

export function isWithheld(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as Record<string, unknown>)['evalvaultWithheld'] === WITHHELD_BODY.evalvaultWithheld
  );
}

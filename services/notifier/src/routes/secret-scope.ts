import { realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import type { AnyDestination } from './destination-kinds.js';

/** Whose secret a route may use: the route's own tenant and project. */
export interface SecretScope {
  tenantId: string;
  projectId: string;
}

/**
 * The destination a secret is for; it is part of the secret's name, so a Slack webhook URL is never sent as
 * a PagerDuty routing key.
 */
export type SecretKind = AnyDestination['type'];

/** Ids that upper-case one-to-one into an env name part: lower-case letters and digits, single dashes between. */
const ENV_SAFE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function envPart(id: string): string | null {
  return ENV_SAFE_ID.test(id) ? id.toUpperCase().replaceAll('-', '_') : null;
}

function pathSegment(id: string): string | null {
  return id && id !== '.' && id !== '..' && !/[/\0]/.test(id) ? id : null;
}

function envScope({ tenantId, projectId }: SecretScope, kind: SecretKind): string | null {
  const [tenant, project] = [envPart(tenantId), envPart(projectId)];
  return tenant && project ? `${tenant}__${project}__${kind.toUpperCase()}_` : null;
}

function fileScope({ tenantId, projectId }: SecretScope, kind: SecretKind): string | null {
  const [tenant, project] = [pathSegment(tenantId), pathSegment(projectId)];
  return tenant && project ? `${tenant}/${project}/${kind}/` : null;
}

/** Where a secret of this scope and kind may be, one place per configured prefix (what a refusal lists). */
export function scopedPrefixes(scope: SecretScope, kind: SecretKind, prefixes: readonly string[]): string[] {
  return prefixes.flatMap((prefix) => {
    const scoped = prefix.startsWith('env:')
      ? envScope(scope, kind)
      : prefix.startsWith('file:/')
        ? fileScope(scope, kind)
        : null;
    if (!scoped) return [];
    return [prefix.startsWith('file:') ? `${prefix.replace(/\/+$/, '')}/${scoped}` : `${prefix}${scoped}`];
  });
}

/**
 * The env name of a secret under the default prefix, e.g. EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_WEBHOOK:
 * what tests and operators set.
 */
export function scopedEnvName(scope: SecretScope, kind: SecretKind, name: string): string {
  const scoped = envScope(scope, kind);
  if (!scoped) throw new Error(`tenant ${scope.tenantId} project ${scope.projectId} have no env secret names`);
  return `EVALVAULT_SECRET_${scoped}${name}`;
}

/** A file path must already be normal (no `.`, `..` or `//`), so the prefix test is about where it really points. */
function isNormalPath(ref: string): boolean {
  return !ref.startsWith('file:') || posix.normalize(ref.slice('file:'.length)) === ref.slice('file:'.length);
}

/**
 * The scoping rule: may a route of this scope use this secret for a destination of this kind?
 * A route of tenant T, project P names a secret for a destination of kind K as
 *   env:<prefix>T__P__K_<name>     T, P upper-cased, `-` as `_`; K one of JIRA, PAGERDUTY, TEAMS, SLACK,
 *                                  LANGFUSE, MLFLOW, OTLP (exports)
 *   file:<dir>/T/P/k/<name>        T, P as they are; k one of jira, pagerduty, teams, slack, langfuse, mlflow, otlp
 * where `env:<prefix>` and `file:<dir>/` are entries of NOTIFIER_SECRET_REF_PREFIXES (by default
 * env:EVALVAULT_SECRET_ and file:/run/secrets/). Env names take only ids that are lower-case
 * slugs (a-z, 0-9, single dashes): upper-casing them and the `__` between the parts are then
 * one-to-one, so tenant "a-b" project "c" and tenant "a" project "b-c" never share a name.
 * Other ids use file: secrets; ids that are not one path segment (`..`, with `/`) have none.
 * K binds the secret to the field it is for: a Slack webhook URL is never a PagerDuty routing key.
 * Checked when a route is created and again before each delivery.
 */
export function isInScope(ref: string, scope: SecretScope, kind: SecretKind, prefixes: readonly string[]): boolean {
  if (!isNormalPath(ref)) return false;
  return scopedPrefixes(scope, kind, prefixes).some((scoped) => ref.length > scoped.length && ref.startsWith(scoped));
}

/**
 * Is this file secret (a ref in scope) a symlink out of its scope directory, to another team's
 * secret? Links inside it (Kubernetes' `..data`) are fine; a file that is not there is for the
 * resolver to report. Checked before the file is read.
 */
export async function fileEscapesScope(
  ref: string,
  scope: SecretScope,
  kind: SecretKind,
  prefixes: readonly string[],
): Promise<boolean> {
  const dir = scopedPrefixes(scope, kind, prefixes).find(
    (scoped) => scoped.startsWith('file:') && ref.startsWith(scoped),
  );
  if (!dir) return true;
  let file: string;
  let root: string;
  try {
    [file, root] = await Promise.all([realpath(ref.slice('file:'.length)), realpath(dir.slice('file:'.length))]);
  } catch {
    return false;
  }
  return !file.startsWith(`${root}/`);
}

/** The secret references of a destination, with the field each is in and the kind it is for. */
export function secretRefsOf(destination: AnyDestination): { field: string; ref: string; kind: SecretKind }[] {
  switch (destination.type) {
    case 'jira':
      return [
        { field: 'destination.tokenRef', ref: destination.tokenRef, kind: 'jira' },
        ...(destination.emailRef
          ? [{ field: 'destination.emailRef', ref: destination.emailRef, kind: 'jira' as const }]
          : []),
      ];
    case 'pagerduty':
      return [{ field: 'destination.routingKeyRef', ref: destination.routingKeyRef, kind: 'pagerduty' }];
    case 'teams':
    case 'slack':
      return [{ field: 'destination.webhookUrlRef', ref: destination.webhookUrlRef, kind: destination.type }];
    case 'langfuse':
      return [
        { field: 'destination.publicKeyRef', ref: destination.publicKeyRef, kind: 'langfuse' },
        { field: 'destination.secretKeyRef', ref: destination.secretKeyRef, kind: 'langfuse' },
      ];
    case 'mlflow':
      return destination.tokenRef ? [{ field: 'destination.tokenRef', ref: destination.tokenRef, kind: 'mlflow' }] : [];
    case 'otlp':
      return destination.headersRef
        ? [{ field: 'destination.headersRef', ref: destination.headersRef, kind: 'otlp' }]
        : [];
    default: {
      const unknown: never = destination;
      throw new Error(`unknown destination ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The first secret reference of a destination outside its route's scope, if any: checked again before each
 * delivery.
 */
export function refOutOfScope(
  destination: AnyDestination,
  scope: SecretScope,
  prefixes: readonly string[],
): { field: string; ref: string } | null {
  return secretRefsOf(destination).find(({ ref, kind }) => !isInScope(ref, scope, kind, prefixes)) ?? null;
}

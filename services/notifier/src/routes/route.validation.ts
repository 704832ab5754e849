import type {
  CreateRouteRequest,
  Destination,
  NotificationSeverity,
  NotificationTrigger,
} from '@evalvault/service-apis';
import { checkEgress } from '@evalvault/platform';
import { NotifierError, NotifierErrorCode } from '../notifier.errors.js';
import { isInScope, scopedPrefixes, type SecretKind, type SecretScope } from './secret-scope.js';

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface RoutePolicy {
  egressAllow: readonly string[];
  secretRefPrefixes: readonly string[];
}

const SECRET_REF = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/[^\0]+)$/;

/**
 * Tickets are for failures (one per drift episode: DriftDetected opens one); Jira and PagerDuty resolve by
 * themselves when a gate passes again or a drift ends (the issues move to done, the incident resolves).
 */
const TRIGGERS_BY_TYPE: Record<Destination['type'], readonly NotificationTrigger[]> = {
  jira: ['GateFailed', 'RunFailed', 'DriftDetected'],
  pagerduty: ['GateFailed', 'RunFailed', 'DriftDetected'],
  teams: ['GateFailed', 'RunFailed', 'GatePassed', 'DriftDetected', 'DriftResolved'],
  slack: ['GateFailed', 'RunFailed', 'GatePassed', 'DriftDetected', 'DriftResolved'],
};

function invalid(message: string): NotifierError {
  return new NotifierError(NotifierErrorCode.InvalidInput, message);
}

/**
 * A secret reference must have the shape of one, start with a configured prefix, and lie in the
 * route's scope (its tenant, project and destination kind, see secret-scope.ts). Checked before
 * anything is resolved, so a refusal never tells whether another team's secret exists.
 */
export function requireSecretRef(
  ref: string,
  field: string,
  kind: SecretKind,
  scope: SecretScope,
  policy: RoutePolicy,
): void {
  if (!SECRET_REF.test(ref))
    throw invalid(`${field} must name a secret as env:NAME or file:/absolute/path, not hold it`);
  if (ref.startsWith('file:') && ref.split('/').includes('..')) throw invalid(`${field} must not contain ".."`);
  if (!policy.secretRefPrefixes.some((prefix) => ref.startsWith(prefix))) {
    throw invalid(
      `${field} must start with one of ${policy.secretRefPrefixes.join(', ')} (NOTIFIER_SECRET_REF_PREFIXES)`,
    );
  }
  if (!isInScope(ref, scope, kind, policy.secretRefPrefixes)) throw invalid(outOfScope(field, kind, scope, policy));
}

function outOfScope(field: string, kind: SecretKind, scope: SecretScope, policy: RoutePolicy): string {
  const places = scopedPrefixes(scope, kind, policy.secretRefPrefixes);
  if (places.length === 0) {
    return (
      `${field}: this tenant and project can name no secret ` +
      '(env: names need lower-case tenant and project ids, file: paths ids that are one path segment)'
    );
  }
  const named = places.map((place) => `${place}<name>`).join(' or ');
  return `${field} must name a ${kind} secret of this tenant and project: ${named}`;
}

export function requireEgress(url: string, field: string, policy: RoutePolicy): void {
  const verdict = checkEgress(url, policy.egressAllow, field);
  if (!verdict.allowed) throw new NotifierError(NotifierErrorCode.EgressRefused, verdict.reason);
}

/** The destination as stored: only the fields of its type, defaults filled in, URLs normalised. */
export function normaliseDestination(destination: Destination, policy: RoutePolicy, scope: SecretScope): Destination {
  switch (destination.type) {
    case 'jira': {
      requireEgress(destination.baseUrl, 'destination.baseUrl', policy);
      requireSecretRef(destination.tokenRef, 'destination.tokenRef', 'jira', scope, policy);
      if (destination.emailRef) requireSecretRef(destination.emailRef, 'destination.emailRef', 'jira', scope, policy);
      if (!/^[A-Z][A-Z0-9_]{0,49}$/.test(destination.projectKey))
        throw invalid('destination.projectKey must be a Jira project key, e.g. OPS');
      const resolveTransition = destination.resolveTransition?.trim();
      if (destination.resolveTransition != null && !resolveTransition)
        throw invalid('destination.resolveTransition must name a workflow transition, e.g. Done');
      return {
        type: 'jira',
        baseUrl: destination.baseUrl.replace(/\/+$/, ''),
        projectKey: destination.projectKey,
        issueType: destination.issueType,
        emailRef: destination.emailRef ?? null,
        tokenRef: destination.tokenRef,
        ...(resolveTransition ? { resolveTransition } : {}), // absent, not null: older routes read the same
      };
    }
    case 'pagerduty': {
      const eventsUrl = destination.eventsUrl ?? DEFAULT_PAGERDUTY_EVENTS_URL;
      requireEgress(eventsUrl, 'destination.eventsUrl', policy);
      requireSecretRef(destination.routingKeyRef, 'destination.routingKeyRef', 'pagerduty', scope, policy);
      return { type: 'pagerduty', routingKeyRef: destination.routingKeyRef, eventsUrl };
    }
    case 'teams':
    case 'slack':
      requireSecretRef(destination.webhookUrlRef, 'destination.webhookUrlRef', destination.type, scope, policy);
      return { type: destination.type, webhookUrlRef: destination.webhookUrlRef };
    default: {
      const unknown: never = destination;
      throw invalid(
        `destination.type ${String((unknown as { type?: unknown }).type)} is not one of jira, pagerduty, teams, slack`,
      );
    }
  }
}

export interface ValidRoute {
  name: string;
  on: NotificationTrigger[];
  severity: NotificationSeverity;
  destination: Destination;
}

/**
 * The route as stored, or a NotifierError naming the field that is wrong; secrets are checked against the
 * route's tenant and project.
 */
export function validateRoute(request: CreateRouteRequest, policy: RoutePolicy, scope: SecretScope): ValidRoute {
  const name = request.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/.test(name))
    throw invalid('name must be 1-100 letters, digits, spaces, dots, dashes or underscores');
  const on = [...new Set(request.on)].sort();
  if (on.length === 0) throw invalid('on must name at least one event type');
  const refused = on.filter((trigger) => !TRIGGERS_BY_TYPE[request.destination.type]?.includes(trigger));
  if (refused.length > 0) {
    const takes = TRIGGERS_BY_TYPE[request.destination.type]?.join(', ') ?? 'nothing';
    throw invalid(`on: a ${request.destination.type} route takes ${takes}, not ${refused.join(', ')}`);
  }
  return {
    name,
    on,
    severity: request.severity ?? 'error',
    destination: normaliseDestination(request.destination, policy, scope),
  };
}

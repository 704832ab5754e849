import type { CreateRouteRequest, Destination, NotificationSeverity, NotificationTrigger } from '@evalvault/service-apis';
import { checkEgress } from '../delivery/egress.js';
import { NotifierError, NotifierErrorCode } from '../notifier.errors.js';

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface RoutePolicy {
  egressAllow: readonly string[];
  secretRefPrefixes: readonly string[];
}

const SECRET_REF = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/[^\0]+)$/;

/** Tickets are for failures; PagerDuty resolves by itself when a gate passes again. */
const TRIGGERS_BY_TYPE: Record<Destination['type'], readonly NotificationTrigger[]> = {
  jira: ['GateFailed', 'RunFailed'],
  pagerduty: ['GateFailed', 'RunFailed'],
  teams: ['GateFailed', 'RunFailed', 'GatePassed'],
  slack: ['GateFailed', 'RunFailed', 'GatePassed'],
};

function invalid(message: string): NotifierError {
  return new NotifierError(NotifierErrorCode.InvalidInput, message);
}

export function requireSecretRef(ref: string, field: string, policy: RoutePolicy): void {
  if (!SECRET_REF.test(ref)) throw invalid(`${field} must name a secret as env:NAME or file:/absolute/path, not hold it`);
  if (ref.startsWith('file:') && ref.split('/').includes('..')) throw invalid(`${field} must not contain ".."`);
  if (!policy.secretRefPrefixes.some((prefix) => ref.startsWith(prefix))) {
    throw invalid(`${field} must start with one of ${policy.secretRefPrefixes.join(', ')} (NOTIFIER_SECRET_REF_PREFIXES)`);
  }
}

export function requireEgress(url: string, field: string, policy: RoutePolicy): void {
  const verdict = checkEgress(url, policy.egressAllow, field);
  if (!verdict.allowed) throw new NotifierError(NotifierErrorCode.EgressRefused, verdict.reason);
}

/** The destination as stored: only the fields of its type, defaults filled in, URLs normalised. */
export function normaliseDestination(destination: Destination, policy: RoutePolicy): Destination {
  switch (destination.type) {
    case 'jira': {
      requireEgress(destination.baseUrl, 'destination.baseUrl', policy);
      requireSecretRef(destination.tokenRef, 'destination.tokenRef', policy);
      if (destination.emailRef) requireSecretRef(destination.emailRef, 'destination.emailRef', policy);
      if (!/^[A-Z][A-Z0-9_]{0,49}$/.test(destination.projectKey)) throw invalid('destination.projectKey must be a Jira project key, e.g. OPS');
      return {
        type: 'jira', baseUrl: destination.baseUrl.replace(/\/+$/, ''), projectKey: destination.projectKey,
        issueType: destination.issueType, emailRef: destination.emailRef ?? null, tokenRef: destination.tokenRef,
      };
    }
    case 'pagerduty': {
      const eventsUrl = destination.eventsUrl ?? DEFAULT_PAGERDUTY_EVENTS_URL;
      requireEgress(eventsUrl, 'destination.eventsUrl', policy);
      requireSecretRef(destination.routingKeyRef, 'destination.routingKeyRef', policy);
      return { type: 'pagerduty', routingKeyRef: destination.routingKeyRef, eventsUrl };
    }
    case 'teams':
    case 'slack':
      requireSecretRef(destination.webhookUrlRef, 'destination.webhookUrlRef', policy);
      return { type: destination.type, webhookUrlRef: destination.webhookUrlRef };
    default: {
      const unknown: never = destination;
      throw invalid(`destination.type ${String((unknown as { type?: unknown }).type)} is not one of jira, pagerduty, teams, slack`);
    }
  }
}

export interface ValidRoute {
  name: string;
  on: NotificationTrigger[];
  severity: NotificationSeverity;
  destination: Destination;
}

export function validateRoute(request: CreateRouteRequest, policy: RoutePolicy): ValidRoute {
  const name = request.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/.test(name)) throw invalid('name must be 1-100 letters, digits, spaces, dots, dashes or underscores');
  const on = [...new Set(request.on)].sort();
  if (on.length === 0) throw invalid('on must name at least one event type');
  const refused = on.filter((trigger) => !TRIGGERS_BY_TYPE[request.destination.type]?.includes(trigger));
  if (refused.length > 0) {
    throw invalid(`on: a ${request.destination.type} route takes ${TRIGGERS_BY_TYPE[request.destination.type]?.join(', ') ?? 'nothing'}, not ${refused.join(', ')}`);
  }
  return { name, on, severity: request.severity ?? 'error', destination: normaliseDestination(request.destination, policy) };
}

/** The secret references of a destination, with the field each is in. */
export function secretRefsOf(destination: Destination): { field: string; ref: string }[] {
  switch (destination.type) {
    case 'jira': return [{ field: 'destination.tokenRef', ref: destination.tokenRef }, ...(destination.emailRef ? [{ field: 'destination.emailRef', ref: destination.emailRef }] : [])];
    case 'pagerduty': return [{ field: 'destination.routingKeyRef', ref: destination.routingKeyRef }];
    case 'teams':
    case 'slack': return [{ field: 'destination.webhookUrlRef', ref: destination.webhookUrlRef }];
    default: {
      const unknown: never = destination;
      throw new Error(`unknown destination ${JSON.stringify(unknown)}`);
    }
  }
}

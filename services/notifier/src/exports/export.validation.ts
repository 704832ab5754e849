import {
  EXPORT_DESTINATION_TYPES,
  EXPORT_TRIGGERS,
  type CreateExportRequest,
  type ExportDestination,
  type ExportTrigger,
} from '@evalvault/service-apis';
import { NotifierError, NotifierErrorCode } from '../notifier.errors.js';
import { requireEgress, requireSecretRef, type RoutePolicy } from '../routes/route.validation.js';
import type { SecretScope } from '../routes/secret-scope.js';

export interface ValidExport {
  name: string;
  on: ExportTrigger[];
  destination: ExportDestination;
}

function invalid(message: string): NotifierError {
  return new NotifierError(NotifierErrorCode.InvalidInput, message);
}

function requireText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max)
    throw invalid(`${field} must be a text of 1-${max} characters`);
  return value.trim();
}

function url(value: unknown, field: string, policy: RoutePolicy): string {
  const text = requireText(value, field, 2_000);
  requireEgress(text, field, policy);
  return text.replace(/\/+$/, '');
}

/** The destination as stored: only the fields of its type, defaults filled in, URLs checked against egress. */
export function normaliseExportDestination(
  destination: ExportDestination,
  policy: RoutePolicy,
  scope: SecretScope,
): ExportDestination {
  const secret = (ref: unknown, field: string, kind: ExportDestination['type']): string => {
    if (typeof ref !== 'string') throw invalid(`${field} must name a secret as env:NAME or file:/absolute/path`);
    requireSecretRef(ref, field, kind, scope, policy);
    return ref;
  };
  switch (destination.type) {
    case 'langfuse':
      return {
        type: 'langfuse',
        baseUrl: url(destination.baseUrl, 'destination.baseUrl', policy),
        publicKeyRef: secret(destination.publicKeyRef, 'destination.publicKeyRef', 'langfuse'),
        secretKeyRef: secret(destination.secretKeyRef, 'destination.secretKeyRef', 'langfuse'),
      };
    case 'mlflow':
      return {
        type: 'mlflow',
        trackingUrl: url(destination.trackingUrl, 'destination.trackingUrl', policy),
        experimentName: requireText(destination.experimentName, 'destination.experimentName', 500),
        tokenRef: destination.tokenRef ? secret(destination.tokenRef, 'destination.tokenRef', 'mlflow') : null,
      };
    case 'otlp': {
      const encoding = destination.encoding ?? 'protobuf';
      if (encoding !== 'protobuf' && encoding !== 'json')
        throw invalid('destination.encoding must be protobuf or json');
      return {
        type: 'otlp',
        endpoint: url(destination.endpoint, 'destination.endpoint', policy),
        encoding,
        headersRef: destination.headersRef ? secret(destination.headersRef, 'destination.headersRef', 'otlp') : null,
        serviceName: destination.serviceName
          ? requireText(destination.serviceName, 'destination.serviceName', 200)
          : null,
      };
    }
    default: {
      const unknown: never = destination;
      throw invalid(
        `destination.type ${String((unknown as { type?: unknown }).type)} is not one of ` +
          EXPORT_DESTINATION_TYPES.join(', '),
      );
    }
  }
}

/** The export as stored, or a NotifierError naming the field that is wrong. */
export function validateExport(request: CreateExportRequest, policy: RoutePolicy, scope: SecretScope): ValidExport {
  const name = typeof request.name === 'string' ? request.name.trim() : '';
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/.test(name))
    throw invalid('name must be 1-100 letters, digits, spaces, dots, dashes or underscores');
  const on = [...new Set(request.on ?? [])].sort();
  if (on.length === 0) throw invalid('on must name at least one event type');
  const refused = on.filter((trigger) => !(EXPORT_TRIGGERS as readonly string[]).includes(trigger));
  if (refused.length > 0) throw invalid(`on: an export takes ${EXPORT_TRIGGERS.join(', ')}, not ${refused.join(', ')}`);
  if (typeof request.destination !== 'object' || request.destination === null)
    throw invalid('destination must be an object with a type');
  return { name, on, destination: normaliseExportDestination(request.destination, policy, scope) };
}

/** JSON Schemas of the tracker exports: validation (unknown fields refused) and the OpenAPI document. */
import { EXPORT_TRIGGERS } from '@evalvault/service-apis';
import { ID_SCHEMA as id } from '../http/common-schemas.js';

const SECRET_REF = {
  type: 'string',
  minLength: 5,
  maxLength: 500,
  pattern: '^(env:[A-Za-z_][A-Za-z0-9_]*|file:/.+)$',
  description: 'Names a secret (env:NAME or file:/absolute/path), never holds it.',
} as const;
const NULLABLE_SECRET_REF = { anyOf: [SECRET_REF, { type: 'null' }] } as const;
const URL = {
  type: 'string',
  minLength: 8,
  maxLength: 2_000,
  pattern: '^https?://',
  description: "Its host must be on the notifier's egress allow-list (EVALVAULT_EGRESS_ALLOW).",
} as const;
const TRIGGERS = {
  type: 'array',
  minItems: 1,
  maxItems: 1,
  uniqueItems: true,
  items: { type: 'string', enum: [...EXPORT_TRIGGERS] },
} as const;

const LANGFUSE = {
  type: 'object',
  required: ['type', 'baseUrl', 'publicKeyRef', 'secretKeyRef'],
  properties: {
    type: { type: 'string', enum: ['langfuse'] },
    baseUrl: URL,
    publicKeyRef: SECRET_REF,
    secretKeyRef: SECRET_REF,
  },
  additionalProperties: false,
} as const;
const MLFLOW = {
  type: 'object',
  required: ['type', 'trackingUrl', 'experimentName'],
  properties: {
    type: { type: 'string', enum: ['mlflow'] },
    trackingUrl: URL,
    experimentName: { type: 'string', minLength: 1, maxLength: 500 },
    tokenRef: NULLABLE_SECRET_REF,
  },
  additionalProperties: false,
} as const;
const OTLP = {
  type: 'object',
  required: ['type', 'endpoint'],
  properties: {
    type: { type: 'string', enum: ['otlp'] },
    endpoint: { ...URL, description: `The traces URL, e.g. http://phoenix:6006/v1/traces. ${URL.description}` },
    encoding: { anyOf: [{ type: 'string', enum: ['protobuf', 'json'] }, { type: 'null' }] },
    headersRef: {
      ...NULLABLE_SECRET_REF,
      description: 'A secret holding `name=value` headers, comma-separated (as OTEL_EXPORTER_OTLP_HEADERS).',
    },
    serviceName: { anyOf: [{ type: 'string', minLength: 1, maxLength: 200 }, { type: 'null' }] },
  },
  additionalProperties: false,
} as const;
/** A failed oneOf answers the errors of the branch `type` names (http/one-of-errors.spec.ts). */
const DESTINATION = { oneOf: [LANGFUSE, MLFLOW, OTLP] } as const;

export const EXPORT_PARAMS = {
  type: 'object',
  required: ['project', 'exportId'],
  properties: { project: id, exportId: id },
} as const;

export const CREATE_EXPORT_BODY = {
  type: 'object',
  required: ['name', 'on', 'destination'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    on: TRIGGERS,
    destination: DESTINATION,
  },
  additionalProperties: false,
} as const;

export const EXPORT_VIEW = {
  type: 'object',
  required: ['exportId', 'projectId', 'name', 'on', 'destination', 'createdBy', 'createdAt'],
  properties: {
    exportId: { type: 'string' },
    projectId: { type: 'string' },
    name: { type: 'string' },
    on: TRIGGERS,
    destination: DESTINATION,
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const EXPORT_LIST = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: EXPORT_VIEW } },
} as const;

import { AjvCompiler, type RouteDefinition } from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler } from 'fastify';

/** One invalid input, as a client reads it in a problem's `errors`. */
export interface FieldError {
  /** JSON Pointer into the body (`/metrics/2`); other parts are prefixed: `querystring/limit`, `params/runId`. */
  path: string;
  message: string;
}

/** The parts of an Ajv error we read (Fastify puts them on `error.validation`). */
interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Fastify's validation error, once its `validation` list is checked to be there. */
export interface RequestValidationError {
  validation: readonly AjvError[];
  validationContext?: string;
}

export function isRequestValidationError(error: unknown): error is RequestValidationError {
  return typeof error === 'object' && error !== null && Array.isArray((error as { validation?: unknown }).validation);
}

/**
 * Ajv's errors as paths a client can point at: an unknown field and a missing one are named at
 * their own path (Ajv reports both at the parent object), with plain messages; a value outside an
 * enum hears the values it may take.
 */
export function validationErrors(error: RequestValidationError): FieldError[] {
  const prefix = !error.validationContext || error.validationContext === 'body' ? '' : error.validationContext;
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const item of error.validation) {
    let path = item.instancePath ?? '';
    let message = item.message ?? 'is invalid';
    const params = item.params ?? {};
    if (item.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
      path += `/${escapePointer(params['additionalProperty'])}`;
      message = 'unknown field';
    } else if (item.keyword === 'required' && typeof params['missingProperty'] === 'string') {
      path += `/${escapePointer(params['missingProperty'])}`;
      message = 'is required';
    } else if (item.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
      // Ajv says "must be equal to one of the allowed values" without naming them.
      message = `must be one of ${params['allowedValues'].map(String).join(', ')}`;
    }
    const located = prefix ? `${prefix}${path}` : path || '/';
    const key = `${located}\u0000${message}`;
    if (!seen.has(key)) errors.push({ path: located, message });
    seen.add(key);
  }
  return errors;
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * Ajv as Fastify ships it, made strict. Fastify's defaults would silently drop unknown fields
 * (`removeAdditional`) and turn `"3"` into 3 in a JSON body (`coerceTypes`): a client sending
 * the wrong thing should hear about it. Query strings and path parameters are text by nature,
 * so they keep coercion. `allErrors` reports every problem at once; its cost on hostile input is
 * bounded by the body limit.
 */
// allowUnionTypes: schemas say type: ['string', 'null'] for nullable fields (Ajv's strict mode would only
// warn on stdout).
const STRICT = { removeAdditional: false, useDefaults: true, allErrors: true, allowUnionTypes: true } as const;
const BODY_OPTIONS = { customOptions: { ...STRICT, coerceTypes: false } };
const TEXT_OPTIONS = { customOptions: { ...STRICT, coerceTypes: 'array' } } as const;

export function strictValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const build = AjvCompiler();
  const body = build({}, BODY_OPTIONS);
  const text = build({}, TEXT_OPTIONS);
  const compile = (route: Parameters<FastifySchemaCompiler<unknown>>[0]): Validator => {
    const schema = (
      route.httpPart === 'headers' ? route.schema : closeObjects(route.schema)
    ) as RouteDefinition['schema'];
    return (route.httpPart === 'body' ? body({ ...route, schema }) : text({ ...route, schema })) as Validator;
  };
  // Each route's validator is compiled when the route is first called: compiling all of them
  // when the gateway starts took a third of its start (a hundred routes' schemas, most never
  // called in a given run of the platform). Fastify reads a failed validation's `errors` from
  // the function it was given, and passes the request as the parent (so Ajv may replace a root
  // value) to a function with a `schemaEnv`: the wrapper answers both from the compiled one.
  return (route) => {
    let compiled: Validator | undefined;
    const compiledOnce = (): Validator => (compiled ??= compile(route));
    const validate = ((data: unknown, ...rest: unknown[]) => {
      const valid = compiledOnce()(data, ...rest);
      validate.errors = compiledOnce().errors;
      return valid;
    }) as Validator;
    Object.defineProperty(validate, 'schemaEnv', { get: () => compiledOnce().schemaEnv });
    return validate as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}

/** An Ajv validation function as Fastify calls it. */
type Validator = ((data: unknown, ...rest: unknown[]) => boolean) & { errors?: unknown; schemaEnv?: unknown };

type Schema = Record<string, unknown>;
const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Unknown fields are refused unless a schema says otherwise: an object schema that does not
 * mention `additionalProperties` (or `unevaluatedProperties`) gets `additionalProperties: false`.
 * Branches of allOf/anyOf/oneOf are left open, since closing each would reject the other
 * branches' fields; a composed schema declares what it wants. Headers are never closed.
 */
export function closeObjects(schema: unknown): unknown {
  if (!isSchema(schema)) return schema;
  const copy: Schema = { ...schema };
  const isObject = copy['type'] === 'object' || isSchema(copy['properties']);
  if (isObject && !('additionalProperties' in copy) && !('unevaluatedProperties' in copy))
    copy['additionalProperties'] = false;
  for (const key of ['properties', 'patternProperties', '$defs', 'definitions'] as const) {
    const children = copy[key];
    if (isSchema(children))
      copy[key] = Object.fromEntries(Object.entries(children).map(([name, child]) => [name, closeObjects(child)]));
  }
  for (const key of ['items', 'additionalProperties', 'contains'] as const) copy[key] = closeObjects(copy[key]);
  if (Array.isArray(copy['prefixItems'])) copy['prefixItems'] = copy['prefixItems'].map(closeObjects);
  for (const key of Object.keys(copy)) if (copy[key] === undefined) delete copy[key];
  return copy;
}

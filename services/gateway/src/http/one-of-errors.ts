/** An Ajv error as Fastify hands it over (the fields this file reads). */
export interface BranchedError {
  instancePath?: string;
  schemaPath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

type Schema = Record<string, unknown>;
const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Ajv reports every branch of a failed `oneOf`: a Slack destination with one wrong field came
 * back with nine errors, most about the Jira, PagerDuty and Teams shapes it never meant, and
 * "/destination/type must be equal to one of the allowed values" although `slack` is one.
 * Only one branch is relevant: the one its discriminating property (`type`, a `const`/`enum`
 * every branch declares and requires) names, else the only one whose fields the object has.
 * Its errors are kept; the other branches' and the `oneOf`'s own go. A wrong or missing
 * discriminator is one error listing the values it may take. The body's schema is the route's.
 */
export function narrowOneOfErrors(errors: readonly BranchedError[], body: unknown, schema: unknown): BranchedError[] {
  let result = [...errors];
  const oneOfs = errors
    .filter((error) => error.keyword === 'oneOf' && error.schemaPath?.startsWith('#'))
    .sort((a, b) => a.schemaPath!.length - b.schemaPath!.length); // outer ones first: they may drop inner ones
  for (const oneOf of oneOfs) {
    if (!result.includes(oneOf)) continue;
    const branches = schemaAt(schema, oneOf.schemaPath!);
    if (!Array.isArray(branches)) continue;
    result = narrowOne(result, oneOf, branches.filter(isObject), valueAt(body, oneOf.instancePath ?? ''));
  }
  return result;
}

function narrowOne(errors: BranchedError[], oneOf: BranchedError, branches: Schema[], value: unknown): BranchedError[] {
  const prefix = `${oneOf.schemaPath}/`;
  const at = oneOf.instancePath ?? '';
  const branchOf = (error: BranchedError): number | null =>
    error.schemaPath?.startsWith(prefix) ? Number(error.schemaPath.slice(prefix.length).split('/')[0]) : null;
  const unrelated = errors.filter((error) => error !== oneOf && branchOf(error) === null);
  const key = discriminator(branches);
  if (key !== null) {
    const allowed = branches.flatMap((branch) => valuesOf((branch['properties'] as Schema)[key]));
    const given = isObject(value) ? value[key] : undefined;
    const chosen = branches.findIndex((branch) => valuesOf((branch['properties'] as Schema)[key]).includes(given));
    if (chosen === -1) {
      const message = `${given === undefined ? 'is required: one' : 'must be one'} of ${allowed.join(', ')}`;
      return [...unrelated, { instancePath: `${at}/${key}`, keyword: 'enum', message }];
    }
    const kept = errors.filter((error) => branchOf(error) === chosen);
    return [...unrelated, ...withSecretRefHints(kept, at, `${String(given)} ${lastSegment(at)}s take`)];
  }
  const fitting = branches
    .map((_, index) => index)
    .filter((index) => !errors.some((error) => branchOf(error) === index && isShapeError(error, at)));
  if (fitting.length !== 1) return errors;
  const kept = errors.filter((error) => branchOf(error) === fitting[0]);
  return [...unrelated, ...withSecretRefHints(kept, at, `${lastSegment(at) || 'the body'} takes`)];
}

/** A property every branch requires and pins to one or a few values: what tells the branches apart. */
function discriminator(branches: Schema[]): string | null {
  const [first] = branches;
  if (!first || !isObject(first['properties'])) return null;
  for (const key of Object.keys(first['properties'])) {
    const pinned = branches.every(
      (branch) =>
        isObject(branch['properties']) &&
        valuesOf(branch['properties'][key]).length > 0 &&
        Array.isArray(branch['required']) &&
        branch['required'].includes(key),
    );
    if (pinned) return key;
  }
  return null;
}

function valuesOf(property: unknown): unknown[] {
  if (!isObject(property)) return [];
  if ('const' in property) return [property['const']];
  return Array.isArray(property['enum']) ? property['enum'] : [];
}

/** The object lacks a field the branch requires, or has one it does not know: a different shape. */
function isShapeError(error: BranchedError, at: string): boolean {
  return error.instancePath === at && (error.keyword === 'required' || error.keyword === 'additionalProperties');
}

/**
 * `webhookUrl` sent where `webhookUrlRef` is required: the secret itself (or a field named
 * after it) instead of a reference to it. One error says so, in place of "unknown field" and
 * "is required".
 */
function withSecretRefHints(errors: BranchedError[], at: string, subject: string): BranchedError[] {
  const missing = new Set(
    errors
      .filter((error) => error.instancePath === at && error.keyword === 'required')
      .map((error) => String(error.params?.['missingProperty'])),
  );
  const hinted = new Set<string>();
  const result: BranchedError[] = [];
  for (const error of errors) {
    const extra = error.keyword === 'additionalProperties' ? String(error.params?.['additionalProperty']) : null;
    if (error.instancePath === at && extra !== null && missing.has(`${extra}Ref`)) {
      hinted.add(`${extra}Ref`);
      const message = `${subject} ${extra}Ref, a secret reference (env:NAME or file:/path), not ${extra}`;
      result.push({ instancePath: `${at}/${extra}`, keyword: 'secretReference', message });
    } else result.push(error);
  }
  return result.filter(
    (error) =>
      !(
        error.keyword === 'required' &&
        error.instancePath === at &&
        hinted.has(String(error.params?.['missingProperty']))
      ),
  );
}

function lastSegment(pointer: string): string {
  return pointer.split('/').at(-1) ?? '';
}

/** The part of a schema an Ajv schemaPath (`#/properties/destination/oneOf`) names. */
function schemaAt(schema: unknown, schemaPath: string): unknown {
  return pointerSegments(schemaPath.slice(1)).reduce<unknown>(
    (node, segment) => (isObject(node) || Array.isArray(node) ? (node as Schema)[segment] : undefined),
    schema,
  );
}

/** The part of the body a JSON Pointer names. */
function valueAt(body: unknown, pointer: string): unknown {
  return schemaAt(body, `#${pointer}`);
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** A JSON Schema, as the OpenAPI document carries it. */
export type JsonSchema = Record<string, unknown>;

/** A route as the OpenAPI document and the role matrix test name it: `POST /v1/projects/{project}/runs`. */
export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'DELETE'} /${string}`;

/**
 * What a person (and a client generator) needs about one route beyond its request schemas, which
 * the route itself declares: what it is for, what it answers, and how it fails.
 */
export interface RouteDoc {
  /** One line, imperative: "Submit a run". */
  summary: string;
  /** What it does, what it needs, what to expect; Markdown. */
  description: string;
  /** Each success status it answers, with what that status means; the route's own response schema, if any, is kept. */
  success: Partial<Record<200 | 201 | 202, string>>;
  /** The success body's media type when it is not JSON (a stream, text). */
  successType?: string;
  /** A schema for the success body where the route declares none. */
  response?: JsonSchema;
  /** Error statuses this route answers beyond those its shape implies (see problem-responses.ts). */
  errors?: readonly number[];
  /** Anyone may call it: no credential, no role, no rate limit. */
  public?: true;
  /** A typical request body and success body, shown as examples. */
  example?: { request?: unknown; response?: unknown };
}

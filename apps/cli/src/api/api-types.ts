import type { operations } from '@evalvault/client';

/** The JSON body an operation of the OpenAPI document takes, as generated (libs/client). */
export type JsonBody<Operation extends keyof operations> = operations[Operation] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** The query parameters an operation of the OpenAPI document takes, as generated. */
export type Query<Operation extends keyof operations> = NonNullable<operations[Operation]['parameters']['query']>;

/** `POST /v1/projects/{project}/runs`, without the Idempotency-Key (a header). */
export type SubmitRunBody = JsonBody<'postRuns'>;
export type MemoryImportBody = JsonBody<'postMemoryImport'>;
export type MemoryPolicyBody = JsonBody<'putMemoryPolicy'>;
export type CreateScheduleBody = JsonBody<'postSchedules'>;

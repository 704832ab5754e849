import { problemFor } from './problem.js';
import { strictValidatorCompiler } from './validation.js';

const DATASET = {
  type: 'object',
  required: ['dataset'],
  properties: {
    dataset: {
      oneOf: [
        {
          type: 'object',
          required: ['id', 'version'],
          properties: { id: { type: 'string' }, version: { type: 'integer' } },
          additionalProperties: false,
        },
        {
          type: 'object',
          required: ['name', 'cases'],
          properties: { name: { type: 'string' }, cases: { type: 'array', minItems: 1 } },
          additionalProperties: false,
        },
      ],
    },
  },
} as const;

const SINK = {
  type: 'object',
  properties: {
    sink: {
      oneOf: [
        {
          type: 'object',
          required: ['kind', 'tokenRef'],
          properties: { kind: { const: 'pager' }, tokenRef: { type: 'string' } },
          additionalProperties: false,
        },
        {
          type: 'object',
          required: ['kind', 'url'],
          properties: { kind: { enum: ['hook', 'webhook'] }, url: { type: 'string' } },
          additionalProperties: false,
        },
      ],
    },
  },
} as const;

/** The field errors the gateway answers for this body, validated as the gateway validates bodies. */
function errorsFor(schema: unknown, body: unknown): unknown {
  const validate = strictValidatorCompiler()({ schema, method: 'POST', url: '/x', httpPart: 'body' }) as ((
    data: unknown,
  ) => boolean) & { errors: never[] };
  expect(validate(body)).toBe(false);
  const error = { validation: validate.errors, validationContext: 'body' };
  return problemFor(error, '/x', { body, bodySchema: schema }).problem.errors;
}

describe('the errors of a failed oneOf', () => {
  it('are those of the branch the discriminating property names, whatever it is called', () => {
    expect(errorsFor(SINK, { sink: { kind: 'webhook', url: 3 } })).toEqual([
      { path: '/sink/url', message: 'must be string' },
    ]);
    expect(errorsFor(SINK, { sink: { kind: 'pager', token: 'x' } })).toEqual([
      {
        path: '/sink/token',
        message: 'pager sinks take tokenRef, a secret reference (env:NAME or file:/path), not token',
      },
    ]);
    expect(errorsFor(SINK, { sink: { kind: 'mail' } })).toEqual([
      { path: '/sink/kind', message: 'must be one of pager, hook, webhook' },
    ]);
  });

  it('are those of the only branch whose fields the object has, without a discriminator', () => {
    expect(errorsFor(DATASET, { dataset: { name: 'd', cases: [] } })).toEqual([
      { path: '/dataset/cases', message: 'must NOT have fewer than 1 items' },
    ]);
    expect(errorsFor(DATASET, { dataset: { id: 'd', version: '2' } })).toEqual([
      { path: '/dataset/version', message: 'must be integer' },
    ]);
  });

  it('stay all there when no branch stands out', () => {
    const mixed = { dataset: { id: 'd', cases: [] } };
    expect(errorsFor(DATASET, mixed)).toEqual(
      expect.arrayContaining([{ path: '/dataset', message: 'must match exactly one schema in oneOf' }]),
    );
  });
});

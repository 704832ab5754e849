import { closeObjects, validationErrors } from './validation.js';
import { canonicalJson, requestHash } from './idempotency/request-hash.js';
import { loadHttpEdgesConfig } from './http-edges.config.js';

describe('validationErrors', () => {
  it('points at unknown and missing fields themselves, escaping JSON Pointer characters', () => {
    expect(
      validationErrors({
        validationContext: 'body',
        validation: [
          {
            instancePath: '/a',
            keyword: 'additionalProperties',
            params: { additionalProperty: 'x/y~z' },
            message: 'must NOT have additional properties',
          },
          {
            instancePath: '',
            keyword: 'required',
            params: { missingProperty: 'name' },
            message: "must have required property 'name'",
          },
          { instancePath: '', keyword: 'type', params: { type: 'object' }, message: 'must be object' },
          { instancePath: '', keyword: 'type', params: { type: 'object' }, message: 'must be object' },
        ],
      }),
    ).toEqual([
      { path: '/a/x~1y~0z', message: 'unknown field' },
      { path: '/name', message: 'is required' },
      { path: '/', message: 'must be object' },
    ]);
  });

  it('names the values an enum allows, in a query string too', () => {
    expect(
      validationErrors({
        validationContext: 'querystring',
        validation: [
          {
            instancePath: '/status',
            keyword: 'enum',
            params: { allowedValues: ['requested', 'running', 'completed'] },
            message: 'must be equal to one of the allowed values',
          },
        ],
      }),
    ).toEqual([{ path: 'querystring/status', message: 'must be one of requested, running, completed' }]);
  });
});

describe('closeObjects', () => {
  it('closes object schemas that do not say otherwise, but not composed branches', () => {
    const closed = closeObjects({
      type: 'object',
      properties: {
        nested: { type: 'object', properties: { a: { type: 'string' } } },
        list: { type: 'array', items: { properties: {} } },
      },
      $defs: { open: { type: 'object', additionalProperties: true } },
      anyOf: [{ type: 'object', properties: { b: {} } }],
    });
    expect(closed).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        nested: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
        list: { type: 'array', items: { properties: {}, additionalProperties: false } },
      },
      $defs: { open: { type: 'object', additionalProperties: true } },
      anyOf: [{ type: 'object', properties: { b: {} } }],
    });
  });
});

describe('requestHash', () => {
  it('ignores key order but not values, method or URL', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null, skip: undefined })).toBe(
      '{"a":null,"b":[1,{"c":2,"d":1}]}',
    );
    const hash = requestHash('POST', '/runs', { a: 1, b: 2 });
    expect(requestHash('POST', '/runs', { b: 2, a: 1 })).toBe(hash);
    expect(requestHash('POST', '/runs', { a: 1, b: 3 })).not.toBe(hash);
    expect(requestHash('POST', '/runs?x=1', { a: 1, b: 2 })).not.toBe(hash);
  });
});

describe('loadHttpEdgesConfig', () => {
  it('has defaults and reads overrides', () => {
    expect(loadHttpEdgesConfig({})).toEqual({
      bodyLimit: 1_048_576,
      rateLimit: { max: 600, windowMs: 60_000, tenantMax: {} },
      authFailuresMax: 30,
    });
    expect(
      loadHttpEdgesConfig({
        GATEWAY_BODY_LIMIT_BYTES: '2048',
        GATEWAY_RATE_LIMIT_TENANTS: 'acme=1000, tiny=5',
        GATEWAY_AUTH_FAILURES_MAX: '7',
        GATEWAY_RATE_LIMIT_CALLER_MAX: '100',
      }),
    ).toMatchObject({
      bodyLimit: 2048,
      authFailuresMax: 7,
      rateLimit: { tenantMax: { acme: 1000, tiny: 5 }, callerMax: 100 },
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadHttpEdgesConfig({ GATEWAY_RATE_LIMIT_MAX: '0' })).toThrow(/GATEWAY_RATE_LIMIT_MAX/);
    expect(() => loadHttpEdgesConfig({ GATEWAY_RATE_LIMIT_TENANTS: 'acme' })).toThrow(/GATEWAY_RATE_LIMIT_TENANTS/);
    expect(() => loadHttpEdgesConfig({ GATEWAY_RATE_LIMIT_CALLER_MAX: '-1' })).toThrow(/GATEWAY_RATE_LIMIT_CALLER_MAX/);
  });
});

import type { CreateExportRequest } from '@evalvault/service-apis';
import { NotifierErrorCode } from '../notifier.errors.js';
import { validateExport } from './export.validation.js';

describe('an export, as created', () => {
  const policy = {
    egressAllow: ['langfuse.acme.example', 'mlflow.acme.example'],
    secretRefPrefixes: ['env:EVALVAULT_SECRET_'],
  };
  const scope = { tenantId: 'acme', projectId: 'checkout' };
  const langfuse: CreateExportRequest = {
    name: 'langfuse',
    on: ['RunCompleted'],
    destination: {
      type: 'langfuse',
      baseUrl: 'https://langfuse.acme.example/',
      publicKeyRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__LANGFUSE_PUBLIC',
      secretKeyRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__LANGFUSE_SECRET',
    },
  };
  const refused = (request: unknown, code: NotifierErrorCode, message: RegExp): void => {
    expect(() => validateExport(request as CreateExportRequest, policy, scope)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  };

  it('keeps the fields of its type, defaults filled in and URLs normalised', () => {
    expect(validateExport(langfuse, policy, scope).destination).toEqual({
      ...langfuse.destination,
      baseUrl: 'https://langfuse.acme.example',
    });
    const otlp = validateExport(
      {
        name: 'phoenix',
        on: ['RunCompleted'],
        destination: { type: 'otlp', endpoint: 'https://mlflow.acme.example/v1/traces' },
      },
      policy,
      scope,
    );
    expect(otlp.destination).toEqual({
      type: 'otlp',
      endpoint: 'https://mlflow.acme.example/v1/traces',
      encoding: 'protobuf',
      headersRef: null,
      serviceName: null,
    });
  });

  it('refuses an unknown destination type, naming the field and the types it takes', () => {
    refused(
      { ...langfuse, destination: { type: 'wandb' } },
      NotifierErrorCode.InvalidInput,
      /^destination\.type wandb is not one of langfuse, mlflow, otlp$/,
    );
  });

  it('refuses a URL off the egress allow-list, naming the field', () => {
    refused(
      {
        name: 'm',
        on: ['RunCompleted'],
        destination: { type: 'mlflow', trackingUrl: 'http://169.254.169.254', experimentName: 'e' },
      },
      NotifierErrorCode.EgressRefused,
      /destination\.trackingUrl/,
    );
  });

  it('refuses a secret held inline, or one of another project, naming the field', () => {
    refused(
      { ...langfuse, destination: { ...langfuse.destination, secretKeyRef: 'sk-lf-1234567890' } },
      NotifierErrorCode.InvalidInput,
      /^destination\.secretKeyRef must name a secret as env:NAME or file:\/absolute\/path, not hold it$/,
    );
    refused(
      {
        ...langfuse,
        destination: { ...langfuse.destination, publicKeyRef: 'env:EVALVAULT_SECRET_OTHER__CHECKOUT__LANGFUSE_PUBLIC' },
      },
      NotifierErrorCode.InvalidInput,
      /^destination\.publicKeyRef must name a langfuse secret of this tenant and project/,
    );
  });

  it('takes RunCompleted only, and a name', () => {
    refused(
      { ...langfuse, on: ['GateFailed'] },
      NotifierErrorCode.InvalidInput,
      /^on: an export takes RunCompleted, not GateFailed$/,
    );
    refused({ ...langfuse, on: [] }, NotifierErrorCode.InvalidInput, /^on must name at least one event type$/);
    refused({ ...langfuse, name: '../x' }, NotifierErrorCode.InvalidInput, /^name must be/);
  });
});

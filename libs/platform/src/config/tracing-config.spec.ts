import { loadTraceExport, tracesExportConfigured } from './tracing-config.js';

describe('tracesExportConfigured', () => {
  it('is off without an OTLP endpoint, whatever else is set', () => {
    expect(tracesExportConfigured({})).toBe(false);
    expect(tracesExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ', OTEL_SERVICE_NAME: 'x' })).toBe(false);
  });

  it('is on with the general or the traces endpoint', () => {
    expect(tracesExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracesExportConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
  });

  it('is off when the SDK is disabled or the traces exporter is none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracesExportConfigured({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
    expect(tracesExportConfigured({ ...endpoint, OTEL_SDK_DISABLED: 'false' })).toBe(true);
    expect(tracesExportConfigured({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });
});

describe('loadTraceExport', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  it('names the spans after the service unless OTEL_SERVICE_NAME does', () => {
    expect(loadTraceExport('runs', endpoint)).toEqual({ serviceName: 'runs' });
    expect(loadTraceExport('runs', { ...endpoint, OTEL_SERVICE_NAME: 'evalvault-runs' })).toEqual({
      serviceName: 'evalvault-runs',
    });
  });

  it('is undefined when nothing is exported', () => {
    expect(loadTraceExport('runs', {})).toBeUndefined();
  });
});

import type { AuditEntryView } from '@evalvault/service-apis';
import { CSV_COLUMNS, csvField, csvHeader, csvLine, jsonLine } from './export-format.js';

const view: AuditEntryView = {
  seq: 7,
  eventId: 'e-1',
  action: 'AccessDenied',
  occurredAt: '2026-11-26T09:30:00.000Z',
  tenantId: 't',
  projectId: 'p',
  streamId: 's',
  actor: { subject: '=HYPERLINK("x")', pseudonym: 'ps', authMethod: 'oidc', apiKeyId: null, forgotten: false },
  target: null,
  resources: [
    { type: 'dataset', id: 'ds', version: 2, contentHash: null },
    { type: 'run', id: 'r', version: null, contentHash: null },
  ],
  outcome: 'denied',
  correlationId: 'c',
  causationId: null,
  details: { reason: 'cross-tenant', status: 404 },
  prevHash: 'a',
  hash: 'b',
};

describe('export formats', () => {
  it('writes one JSON object per line', () => {
    const line = jsonLine(view);
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual(view);
  });

  it('quotes CSV fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\nbye')).toBe('"say ""hi""\nbye"');
    expect(csvField(null)).toBe('');
    expect(csvField(-3)).toBe('-3');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('@cmd')).toBe("'@cmd");
    const line = csvLine(view);
    expect(line).toContain(`"'=HYPERLINK(""x"")"`);
    expect(line).toContain('dataset:ds@2 run:r');
    expect(csvHeader().trim().split(',')).toEqual([...CSV_COLUMNS]);
  });
});

import type { AuditEntryView } from '@evalvault/service-apis';

export const CSV_COLUMNS = [
  'seq',
  'eventId',
  'occurredAt',
  'action',
  'outcome',
  'projectId',
  'actorSubject',
  'actorPseudonym',
  'authMethod',
  'apiKeyId',
  'targetSubject',
  'targetPseudonym',
  'resources',
  'correlationId',
  'causationId',
  'streamId',
  'details',
  'prevHash',
  'hash',
] as const;

export function jsonLine(view: AuditEntryView): string {
  return `${JSON.stringify(view)}\n`;
}

/**
 * RFC 4180 quoting, and a leading apostrophe on text a spreadsheet would run as a formula
 * (=, +, -, @, tab, carriage return): the export is opened by people, not only parsed.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvLine(view: AuditEntryView): string {
  const resources = view.resources
    .map((r) => `${r.type}:${r.id}${r.version === null ? '' : `@${r.version}`}`)
    .join(' ');
  const values: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
    seq: view.seq,
    eventId: view.eventId,
    occurredAt: view.occurredAt,
    action: view.action,
    outcome: view.outcome,
    projectId: view.projectId,
    actorSubject: view.actor.subject,
    actorPseudonym: view.actor.pseudonym,
    authMethod: view.actor.authMethod,
    apiKeyId: view.actor.apiKeyId,
    targetSubject: view.target?.subject ?? null,
    targetPseudonym: view.target?.pseudonym ?? null,
    resources,
    correlationId: view.correlationId,
    causationId: view.causationId,
    streamId: view.streamId,
    details: JSON.stringify(view.details),
    prevHash: view.prevHash,
    hash: view.hash,
  };
  return `${CSV_COLUMNS.map((column) => csvField(values[column])).join(',')}\r\n`;
}

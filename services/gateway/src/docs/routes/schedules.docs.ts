import type { RouteDoc, RouteKey } from '../route-doc.js';

const SCHEDULES = '/v1/projects/{project}/schedules';

export const SCHEDULES_DOCS: Record<RouteKey, RouteDoc> = {
  [`POST ${SCHEDULES}`]: {
    summary: 'Create a schedule',
    description:
      'Runs a registered dataset — a `version`, or without one the latest approved version at each slot — with ' +
      'the given metrics and gate at every slot of `cron` (five fields, or six with seconds first) read in ' +
      '`timeZone` (IANA, default UTC; a local time skipped by a DST change runs at the next one, one that occurs ' +
      'twice runs once). After downtime a schedule runs once for the slots it missed. After each run its metric ' +
      'means are compared with the mean of its previous `drift.baselineRuns` runs (default 5): a drop of more than ' +
      '`drift.threshold` (default 0.05) records `DriftDetected`, and the recovery `DriftResolved` ' +
      '(docs/schedules.md). 400: a malformed cron expression, an unknown time zone, an unknown metric or a bad ' +
      'gate rule, the detail naming the field; 404: the dataset (or version) is not one of the project.',
    success: { 201: 'Created: the schedule, with its next slot' },
    errors: [404],
    example: {
      request: {
        name: 'nightly help-desk',
        cron: '0 2 * * *',
        timeZone: 'Europe/Paris',
        dataset: { id: 'help-desk' },
        metrics: ['token_f1'],
        gate: { rules: ['mean(token_f1) >= 0.6'] },
        drift: { threshold: 0.05, baselineRuns: 5 },
      },
    },
  },
  [`GET ${SCHEDULES}`]: {
    summary: 'List schedules',
    description: "The project's schedules (active and paused), by name, each with its next slot and drifting metrics.",
    success: { 200: 'The schedules' },
  },
  [`GET ${SCHEDULES}/{scheduleId}`]: {
    summary: 'Get a schedule',
    description:
      'Its definition, status, next slot, the runs it requested (newest first) and the metrics drifting now.',
    success: { 200: 'The schedule' },
  },
  [`POST ${SCHEDULES}/{scheduleId}/pause`]: {
    summary: 'Pause a schedule',
    description: 'No run starts until it is resumed; slots passing meanwhile are skipped, not caught up.',
    success: { 200: 'The paused schedule' },
  },
  [`POST ${SCHEDULES}/{scheduleId}/resume`]: {
    summary: 'Resume a schedule',
    description: 'Runs start again from the first slot after now.',
    success: { 200: 'The active schedule' },
  },
  [`DELETE ${SCHEDULES}/{scheduleId}`]: {
    summary: 'Delete a schedule',
    description: 'No run starts from it again; the runs it started stay.',
    success: { 200: 'Deleted' },
  },
};

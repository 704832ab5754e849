import type { ScheduleView } from '@evalvault/service-apis';
import { CONNECTION_OPTIONS, parseCommand } from '../args.js';
import { SchedulesApi } from '../api/schedules-api.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { renderTable } from '../output/table.js';
import { withSession, type SessionDeps } from '../session.js';

const JSON_OUTPUT = { ...CONNECTION_OPTIONS, json: { type: 'boolean' } } as const;
const SUBCOMMANDS = 'create, list, show, pause, resume, delete';

/** `evalvault schedules create|list|show|pause|resume|delete`. */
export async function schedulesCommand(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
      return create(rest, io, deps);
    case 'list':
      return list(rest, io, deps);
    case 'show':
    case 'pause':
    case 'resume':
    case 'delete':
      return act(sub, rest, io, deps);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      return showHelp(io, 'schedules');
    default:
      throw new CliError('usage', `schedules: unknown command "${sub}" (${SUBCOMMANDS})`);
  }
}

const CREATE_OPTIONS = {
  ...JSON_OUTPUT,
  name: { type: 'string' },
  cron: { type: 'string' },
  tz: { type: 'string' },
  dataset: { type: 'string' },
  version: { type: 'string' },
  metric: { type: 'string', multiple: true },
  gate: { type: 'string', multiple: true },
  'drift-threshold': { type: 'string' },
  'drift-runs': { type: 'string' },
} as const;

async function create(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, help } = parseCommand('schedules create', argv, CREATE_OPTIONS, []);
  if (help) return showHelp(io, 'schedules');
  for (const required of ['name', 'cron', 'dataset'] as const)
    if (!values[required]) throw new CliError('usage', `schedules create: --${required} is required`);
  if (!values.metric?.length) throw new CliError('usage', 'schedules create: at least one --metric is required');
  const drift = {
    ...(values['drift-threshold'] ? { threshold: numberOf('--drift-threshold', values['drift-threshold']) } : {}),
    ...(values['drift-runs'] ? { baselineRuns: numberOf('--drift-runs', values['drift-runs']) } : {}),
  };
  return withSession(values, io, deps, async ({ client, project }) => {
    const schedule = await new SchedulesApi(client, project).create({
      name: values.name!,
      cron: values.cron!,
      ...(values.tz ? { timeZone: values.tz } : {}),
      dataset: { id: values.dataset!, version: values.version ? numberOf('--version', values.version) : null },
      metrics: values.metric!,
      ...(values.gate?.length ? { gate: { rules: values.gate } } : {}),
      ...(Object.keys(drift).length > 0 ? { drift } : {}),
    });
    write(io, values.json, schedule);
    return 0;
  });
}

async function list(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, help } = parseCommand('schedules list', argv, JSON_OUTPUT, []);
  if (help) return showHelp(io, 'schedules');
  return withSession(values, io, deps, async ({ client, project }) => {
    const items = await new SchedulesApi(client, project).list();
    if (values.json) io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    else io.stdout.write(`${renderTable(COLUMNS, items.map(rowOf))}\n`);
    return 0;
  });
}

const ACT_OPTIONS = { ...JSON_OUTPUT, reason: { type: 'string' } } as const;

async function act(
  sub: 'show' | 'pause' | 'resume' | 'delete',
  argv: string[],
  io: CliIo,
  deps: SessionDeps,
): Promise<number> {
  const { values, positionals, help } = parseCommand(`schedules ${sub}`, argv, ACT_OPTIONS, ['schedule']);
  if (help) return showHelp(io, 'schedules');
  const scheduleId = positionals[0]!;
  return withSession(values, io, deps, async ({ client, project }) => {
    const api = new SchedulesApi(client, project);
    if (sub === 'delete') {
      await api.delete(scheduleId);
      io.stdout.write(`schedule ${scheduleId} deleted\n`);
      return 0;
    }
    const schedule =
      sub === 'show'
        ? await api.get(scheduleId)
        : sub === 'pause'
          ? await api.pause(scheduleId, values.reason)
          : await api.resume(scheduleId);
    write(io, values.json, schedule);
    return 0;
  });
}

const COLUMNS = [
  { header: 'schedule' },
  { header: 'name' },
  { header: 'cron' },
  { header: 'zone' },
  { header: 'dataset' },
  { header: 'status' },
  { header: 'next slot' },
  { header: 'drifting' },
];

function rowOf(schedule: ScheduleView): string[] {
  const { id, version } = schedule.dataset;
  return [
    schedule.scheduleId,
    schedule.name,
    schedule.cron,
    schedule.timeZone,
    `${id}@${version ?? 'approved'}`,
    schedule.status,
    schedule.nextSlotAt ?? '-',
    schedule.drifting.map((drift) => drift.metric).join(',') || '-',
  ];
}

function write(io: CliIo, json: boolean | undefined, schedule: ScheduleView): void {
  if (json) io.stdout.write(`${JSON.stringify(schedule, null, 2)}\n`);
  else io.stdout.write(`${renderTable(COLUMNS, [rowOf(schedule)])}\n`);
}

function numberOf(option: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new CliError('usage', `${option} must be a number, got "${raw}"`);
  return value;
}

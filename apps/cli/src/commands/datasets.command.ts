import type { RegisteredVersion } from '@evalvault/service-apis';
import { CONNECTION_OPTIONS, parseCommand } from '../args.js';
import { checkSubmittable, loadDatasetFile, reasonWithoutLine } from '../dataset/load-dataset.js';
import { uploadDataset } from '../dataset/upload-dataset.js';
import { ProgressDisplay, uploadProgress } from '../output/progress.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { withSession, type SessionDeps } from '../session.js';

/** `evalvault datasets validate|push <file>`. */
export async function datasetsCommand(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'validate':
      return validate(rest, io);
    case 'push':
      return push(rest, io, deps);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      return showHelp(io, 'datasets');
    default:
      throw new CliError('usage', `datasets: unknown command "${sub}" (validate, push)`);
  }
}

/** Checks every row locally, with the platform's readers; nothing is sent anywhere. */
async function validate(argv: string[], io: CliIo): Promise<number> {
  const { positionals, help } = parseCommand('datasets validate', argv, { help: { type: 'boolean', short: 'h' } }, [
    'file',
  ]);
  if (help) return showHelp(io, 'datasets');
  const file = await loadDatasetFile(positionals[0]!);
  checkSubmittable(file, false);
  io.stdout.write(`${file.path}: ${file.cases.length} valid cases (${file.format}, dataset "${file.name}")\n`);
  return 0;
}

const PUSH_OPTIONS = {
  ...CONNECTION_OPTIONS,
  name: { type: 'string' },
  description: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
} as const;

/**
 * Registers the dataset's valid cases as a new version with the registry
 * (`POST /v1/projects/{project}/datasets`), after the same checks as `run`.
 */
async function push(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('datasets push', argv, PUSH_OPTIONS, ['file']);
  if (help) return showHelp(io, 'datasets');
  const file = await loadDatasetFile(positionals[0]!);
  checkSubmittable(file, values['skip-invalid'] ?? false);
  for (const row of file.invalid)
    io.stderr.write(`evalvault: skipping ${file.path}:${row.line}: ${reasonWithoutLine(row)}\n`);
  return withSession(values, io, deps, async ({ client, project }) => {
    const progress = new ProgressDisplay(io.stderr);
    let registered: RegisteredVersion;
    try {
      registered = await uploadDataset(
        client,
        project,
        {
          name: values.name ?? file.name,
          ...(values.description ? { description: values.description } : {}),
          cases: file.cases,
        },
        (sent, total) => progress.update(uploadProgress(sent, total)),
      );
    } finally {
      progress.finish();
    }
    const what = registered.created ? 'registered' : 'unchanged: already registered as';
    io.stdout.write(
      `dataset ${registered.name} ${what} version ${registered.version} ` +
        `(id ${registered.id}, ${file.cases.length} cases, sha256 ${registered.contentHash.slice(0, 12)})\n`,
    );
    return 0;
  });
}

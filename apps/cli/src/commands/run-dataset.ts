import { dataOf } from '@evalvault/client';
import type { SubmitRunBody } from '../api/api-types.js';
import {
  checkSubmittable,
  fitsInline,
  loadDatasetFile,
  reasonWithoutLine,
  type DatasetFile,
} from '../dataset/load-dataset.js';
import { uploadDataset } from '../dataset/upload-dataset.js';
import { usageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { ProgressDisplay, uploadProgress } from '../output/progress.js';
import type { Session } from '../session.js';

/** Where a run's cases come from: a local file (checked row by row first) or a registered version. */
export type RunDatasetSource =
  | { kind: 'file'; file: DatasetFile }
  | { kind: 'registered'; id: string; version: number | null };

/** What the run request carries for its dataset, and how many cases it has (when known). */
export interface RunDataset {
  dataset: SubmitRunBody['dataset'];
  rejectedRows?: SubmitRunBody['rejectedRows'];
  describe: string;
}

export const MISSING_DATASET = 'run: missing <dataset> file or --dataset ID[@VERSION] (see "evalvault run --help")';

/** `run <file>` or `run --dataset ID[@VERSION]`, exactly one. */
export async function runDatasetSource(
  file: string | undefined,
  registered: string | undefined,
  skipInvalid: boolean,
  io: CliIo,
): Promise<RunDatasetSource> {
  if (file && registered) throw usageError('run: give a dataset file or --dataset ID[@VERSION], not both');
  if (registered) return { kind: 'registered', ...parseRegistered(registered) };
  if (!file) throw usageError(MISSING_DATASET);
  const loaded = await loadDatasetFile(file);
  checkSubmittable(loaded, skipInvalid);
  for (const row of loaded.invalid)
    io.stderr.write(`evalvault: skipping ${loaded.path}:${row.line}: ${reasonWithoutLine(row)} [${row.errorCode}]\n`);
  return { kind: 'file', file: loaded };
}

function parseRegistered(value: string): { id: string; version: number | null } {
  const [id, version] = value.split('@') as [string, string | undefined];
  if (!id) throw usageError(`--dataset must be ID or ID@VERSION, got "${value}"`);
  if (version === undefined) return { id, version: null };
  const number = Number(version);
  if (!Number.isSafeInteger(number) || number < 1)
    throw usageError(`--dataset ${value}: the version must be a whole number from 1`);
  return { id, version: number };
}

/**
 * The run's dataset as the request carries it. A file small enough travels inline; a larger one
 * is registered first (streamed, with progress) and run by reference, so any size can be run.
 * A registered dataset without a version runs its newest version.
 */
export async function runDatasetOf(
  source: RunDatasetSource,
  session: Session,
  io: CliIo,
  name: string | undefined,
  options: { inline?: boolean } = {},
): Promise<RunDataset> {
  if (source.kind === 'registered') {
    const version = source.version ?? (await newestVersion(session, source.id));
    return { dataset: { id: source.id, version }, describe: `dataset ${source.id} v${version}` };
  }
  const { file } = source;
  const datasetName = name ?? file.name;
  if ((options.inline ?? true) && fitsInline(file)) {
    const rejectedRows =
      file.invalid.length > 0
        ? file.invalid.map(({ line, reason, errorCode }) => ({ line, reason, errorCode }))
        : undefined;
    return {
      dataset: { name: datasetName, cases: file.cases },
      ...(rejectedRows ? { rejectedRows } : {}),
      describe: `${file.cases.length} cases`,
    };
  }
  io.stderr.write(
    `evalvault: ${file.cases.length} cases are more than a run request carries inline here: ` +
      `registering them as dataset "${datasetName}" and running that version\n`,
  );
  if (file.invalid.length > 0)
    io.stderr.write(
      `evalvault: the ${file.invalid.length} skipped rows are reported above, not recorded in the run ` +
        '(a registered version holds valid cases only)\n',
    );
  const progress = new ProgressDisplay(io.stderr);
  try {
    const registered = await uploadDataset(
      session.client,
      session.project,
      { name: datasetName, cases: file.cases },
      (sent, total) => progress.update(uploadProgress(sent, total)),
    );
    return {
      dataset: { id: registered.id, version: registered.version },
      describe: `${file.cases.length} cases, dataset ${registered.id} v${registered.version}`,
    };
  } finally {
    progress.finish();
  }
}

async function newestVersion(session: Session, id: string): Promise<number> {
  const page = await dataOf(
    session.client.api.GET('/v1/projects/{project}/datasets/{datasetId}/versions', {
      params: { path: { project: session.project, datasetId: id }, query: { limit: 1 } },
    }),
  );
  const newest = page.items[0];
  if (!newest) throw usageError(`dataset ${id} has no version`);
  return newest.version;
}

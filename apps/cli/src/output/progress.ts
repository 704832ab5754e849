import type { RunProgress as RunStatusProgress } from '../api/follow-run.js';
import type { OutputStream } from '../io.js';

const BAR_WIDTH = 30;

/** A run's status and counts, or an upload's (`uploading`, cases sent as `evaluated`). */
type RunProgress = Omit<RunStatusProgress, 'status'> & { status: RunStatusProgress['status'] | 'uploading' };

function describe({ status, counts }: RunProgress): string {
  const done = counts.evaluated + counts.failed;
  const total = counts.total === null ? '?' : String(counts.total);
  return `${status} ${done}/${total} cases${counts.failed > 0 ? ` (${counts.failed} failed)` : ''}`;
}

/** An upload's progress in the same display: so many of the cases sent. */
export function uploadProgress(sent: number, total: number): RunProgress {
  return { status: 'uploading', counts: { total, evaluated: sent, failed: 0 } };
}

/**
 * Shows a run's progress while its cases are scored: a bar redrawn in place on a terminal;
 * on anything else (a CI log) a plain line at each status change and each tenth of the
 * cases, so the log stays short and readable.
 */
export class ProgressDisplay {
  private lastLine = '';
  private lastTenth = -1;
  private lastStatus = '';
  private drawn = false;

  constructor(private readonly stream: OutputStream) {}

  update(progress: RunProgress): void {
    if (this.stream.isTTY) this.draw(progress);
    else this.log(progress);
  }

  /** Leaves the terminal on a fresh line. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private draw(progress: RunProgress): void {
    const { total, evaluated, failed } = progress.counts;
    const share = total ? Math.min(1, (evaluated + failed) / total) : 0;
    const filled = Math.round(share * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    const line = `${bar} ${String(Math.round(share * 100)).padStart(3)}%  ${describe(progress)}`;
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.drawn = true;
    this.stream.write(`\r\x1b[2K${line}`);
  }

  private log(progress: RunProgress): void {
    const { total, evaluated, failed } = progress.counts;
    const tenth = total ? Math.floor(((evaluated + failed) / total) * 10) : 0;
    if (progress.status === this.lastStatus && tenth === this.lastTenth) return;
    this.lastStatus = progress.status;
    this.lastTenth = tenth;
    this.stream.write(`progress: ${describe(progress)}\n`);
  }
}

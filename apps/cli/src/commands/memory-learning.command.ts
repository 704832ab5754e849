import { parseCommand } from '../args.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { score } from '../output/table.js';
import { repeatedPatternsLine, trendsTable } from '../reports/memory-report.js';
import type { SessionDeps } from '../session.js';
import { inMemory, JSON_OUTPUT, limitOption, unitOption, writePage } from './memory-shared.js';

/** `evalvault memory behaviours|learnings|insights`: what memory learned from the project's runs. */
const BEHAVIOUR_OPTIONS = { ...JSON_OUTPUT, 'min-score': { type: 'string' }, limit: { type: 'string' } } as const;

/** What worked: triggers, action recipes and their success rates, best first. */
export async function behaviours(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory behaviours', argv, BEHAVIOUR_OPTIONS, [], ['query']);
  if (help) return showHelp(io, 'memory');
  const query = {
    ...(positionals[0] ? { q: positionals[0] } : {}),
    minScore: unitOption('min-score', values['min-score']),
    limit: limitOption(values.limit),
  };
  return inMemory(values, io, deps, async (memory) => {
    const page = await memory.searchBehaviours(query);
    return writePage(io, values.json, page, {
      noun: 'behaviour',
      columns: [
        { header: 'trigger' },
        { header: 'success', align: 'right' },
        { header: 'uses', align: 'right' },
        { header: 'action' },
      ],
      row: (b) => [b.trigger, score(b.successRate), String(b.useCount), b.action],
    });
  });
}

const LEARNING_OPTIONS = { ...JSON_OUTPUT, dataset: { type: 'string' }, metric: { type: 'string' } } as const;

/** Baselines per dataset and metric, with the failure patterns that recur. */
export async function learnings(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, help } = parseCommand('memory learnings', argv, LEARNING_OPTIONS, []);
  if (help) return showHelp(io, 'memory');
  const query = { dataset: values.dataset, metric: values.metric, limit: 200 };
  return inMemory(values, io, deps, async (memory) => {
    const page = await memory.learnings(query);
    return writePage(io, values.json, page, {
      noun: 'learning',
      columns: [
        { header: 'dataset' },
        { header: 'metric' },
        { header: 'runs', align: 'right' },
        { header: 'mean', align: 'right' },
        { header: 'p10', align: 'right' },
        { header: 'pass rate', align: 'right' },
        { header: 'recurring failures' },
      ],
      row: (l) => [
        l.datasetKey,
        l.metric,
        String(l.baseline.count),
        score(l.baseline.mean),
        score(l.baseline.p10),
        score(l.baseline.passRate),
        l.failurePatterns.map((p) => `${p.dimension}=${p.value} ×${p.count}`).join(', ') || '-',
      ],
    });
  });
}

/** A run against what memory learned: per-metric trends, failure patterns it repeats (as the run report shows them). */
export async function insights(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory insights', argv, JSON_OUTPUT, ['runId']);
  if (help) return showHelp(io, 'memory');
  return inMemory(values, io, deps, async (memory) => {
    const view = await memory.insights(positionals[0]!);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(
      `run ${view.runId} against dataset ${view.datasetKey ?? '-'}'s learned baselines\n${trendsTable(view)}\n` +
        `${repeatedPatternsLine(view)}\n`,
    );
    return 0;
  });
}

import { contractsLayout } from './paths.js';
import { checkContracts } from './compatibility.js';
import { writePublishedSchema } from './published-store.js';

export interface PublishResult {
  published: { eventType: string; version: number }[];
  refused: string[];
}

/** Publishes every compatible changed schema as the next version; refuses all if any is incompatible. */
export function publishSchemas(root?: string): PublishResult {
  const report = checkContracts(root);
  const refused = report.problems.filter((problem) => !problem.includes('out of date'));
  if (refused.length > 0) return { published: [], refused };
  const publishedDir = contractsLayout(root).publishedDir;
  const published = report.unpublished.map((source) => {
    const previous = report.published.filter((s) => s.eventType === source.eventType).at(-1);
    const version = (previous?.version ?? 0) + 1;
    writePublishedSchema(publishedDir, source.eventType, version, source.type);
    return { eventType: source.eventType, version };
  });
  return { published, refused: [] };
}

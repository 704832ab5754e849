// Public API of the statistics area; re-exported from ../index.ts.
export {
  comparePaired,
  defaultResamples,
  type CaseChange,
  type PairedComparison,
  type PairedComparisonOptions,
  type PairedScore,
  type PairedVerdict,
} from './paired-comparison.js';
export { wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.js';
export { pairedBootstrapInterval, quantile, type BootstrapOptions, type Interval } from './bootstrap.js';
export { normalSurvival } from './normal.js';
export { seededRandom } from './seeded-random.js';

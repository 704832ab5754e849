import { createHash } from 'node:crypto';
import type { GateRule } from './gate-rule.js';
import { printGateRule } from './gate-rule.printer.js';

/** Where a gate applies. A dataset is named by id or by name; the two never collide in the identity. */
export interface GateScope {
  tenant: string;
  project: string;
  dataset: { id: string } | { name: string };
}

// Bumped if the canonical form ever changes, so old and new identities cannot be confused.
const IDENTITY_VERSION = 'gate/v1';

/** The rules as a set: canonical text, duplicates dropped, sorted, so wording order and spacing do not matter. */
function canonicalRules(rules: readonly GateRule[]): string[] {
  return [...new Set(rules.map(printGateRule))].sort();
}

/**
 * Stable identity of a gate for dedup and resolve: sha256 (hex) of tenant, project, dataset and
 * canonical rules. Hashing a JSON array keeps field boundaries unambiguous ("a|b" vs "a", "|b").
 */
export function gateIdentity(scope: GateScope, rules: readonly GateRule[]): string {
  const dataset = 'id' in scope.dataset ? ['id', scope.dataset.id] : ['name', scope.dataset.name];
  const material = JSON.stringify([
    IDENTITY_VERSION,
    scope.tenant,
    scope.project,
    ...dataset,
    ...canonicalRules(rules),
  ]);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

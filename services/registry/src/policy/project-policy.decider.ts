import { createHash } from 'node:crypto';
import type { ProjectPolicy, ProjectPolicyChangedPayload } from '@evalvault/contracts';
import { METRIC_NAMES } from '@evalvault/evaluation';
import { invalidInput } from '../resource/resource.errors.js';

/** What a project's admins set: the whole policy at once (a field left out does not limit). */
export type PolicySettings = Omit<ProjectPolicy, 'revision'>;

export type ProjectPolicyCommand = { type: 'SetPolicy'; settings: PolicySettings; reason: string | null };

export type ProjectPolicyEvent = { type: 'ProjectPolicyChanged'; payload: ProjectPolicyChangedPayload };

/** The policy in force; revision 0 is the default of a project whose admins never set one. */
export type ProjectPolicyState = ProjectPolicy;

export const DEFAULT_PROJECT_POLICY: ProjectPolicyState = {
  revision: 0,
  allowedModels: null,
  allowedMetrics: null,
  dailyCapUsd: null,
  monthlyCapUsd: null,
  approvedVersionsOnly: false,
};

const FIELDS = ['allowedModels', 'allowedMetrics', 'dailyCapUsd', 'monthlyCapUsd', 'approvedVersionsOnly'] as const;
const MAX_ENTRIES = 200;
/** `provider:model` or `provider:*`: a provider as the judge and model profiles name it, then a model or any. */
const MODEL_ENTRY = /^[a-z][a-z0-9_-]*:(\*|[^\s*]+)$/;

/**
 * A policy is set whole (PUT) and numbered: each change that alters a field is the next revision
 * and names the fields it changed; setting the policy in force again decides nothing. Values are
 * checked here, so a policy that names an unknown metric or a malformed model never comes to be.
 */
export function decideProjectPolicy(command: ProjectPolicyCommand, state: ProjectPolicyState): ProjectPolicyEvent[] {
  switch (command.type) {
    case 'SetPolicy': {
      const settings = checkedSettings(command.settings);
      const changed = FIELDS.filter((field) => JSON.stringify(settings[field]) !== JSON.stringify(state[field]));
      if (changed.length === 0) return [];
      const policy = { revision: state.revision + 1, ...settings };
      return [{ type: 'ProjectPolicyChanged', payload: { policy, changed, reason: command.reason } }];
    }
    default:
      return unreachable(command.type);
  }
}

export function evolveProjectPolicy(_state: ProjectPolicyState, event: ProjectPolicyEvent): ProjectPolicyState {
  return event.payload.policy;
}

export function evolveProjectPolicyWith(
  state: ProjectPolicyState,
  events: readonly ProjectPolicyEvent[],
): ProjectPolicyState {
  return events.reduce(evolveProjectPolicy, state);
}

/** Stream ids are opaque and global; tenant and project ids are free text, so they are hashed in, kept apart. */
export function projectPolicyStreamId(tenantId: string, projectId: string): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(['project-policy', tenantId, projectId]))
    .digest('hex');
  return `${PROJECT_POLICY_STREAM_PREFIX}${hash.slice(0, 32)}`;
}

export const PROJECT_POLICY_STREAM_PREFIX = 'projectpolicy-';

function checkedSettings(settings: PolicySettings): PolicySettings {
  return {
    allowedModels: checkedList(settings.allowedModels, 'allowedModels', (entry) =>
      MODEL_ENTRY.test(entry) ? null : `"${entry}" is not provider:model or provider:* (e.g. openai:gpt-4o-mini)`,
    ),
    allowedMetrics: checkedList(settings.allowedMetrics, 'allowedMetrics', (entry) =>
      METRIC_NAMES.includes(entry) ? null : `unknown metric "${entry}"; known: ${METRIC_NAMES.join(', ')}`,
    ),
    dailyCapUsd: checkedCap(settings.dailyCapUsd, 'dailyCapUsd'),
    monthlyCapUsd: checkedCap(settings.monthlyCapUsd, 'monthlyCapUsd'),
    approvedVersionsOnly: settings.approvedVersionsOnly,
  };
}

/** Entries checked one by one, repeats dropped (the first kept, in order). */
function checkedList(
  entries: string[] | null,
  field: string,
  problem: (entry: string) => string | null,
): string[] | null {
  if (entries === null) return null;
  if (entries.length > MAX_ENTRIES) throw invalidInput(`${field}: at most ${MAX_ENTRIES} entries`);
  const issues = entries.flatMap((entry, index) => {
    const issue = problem(entry);
    return issue ? [`${field}[${index}]: ${issue}`] : [];
  });
  if (issues.length > 0) throw invalidInput(issues.join('; '), issues);
  return [...new Set(entries)];
}

function checkedCap(value: number | null, field: string): number | null {
  if (value === null) return null;
  if (!Number.isFinite(value) || value < 0) throw invalidInput(`${field}: a number of USD >= 0, or null for no cap`);
  return value;
}

function unreachable(type: never): never {
  throw new Error(`unknown project policy command ${String(type)}`);
}

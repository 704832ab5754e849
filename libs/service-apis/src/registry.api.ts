import type { ProjectPolicy, VersionRef } from '@evalvault/contracts';
import type { Page } from './runs.api.js';

/**
 * The registry service's internal API: versioned, hashed datasets, prompts and model
 * profiles. Every operation runs for the tenant and project of the signed internal identity.
 * Resource ids are derived from (tenant, project, kind, name); a version is immutable and
 * numbered from 1; registering content some version already has answers that version.
 */
export const REGISTRY_KINDS = ['dataset', 'prompt', 'model_profile'] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

export interface RegisteredVersion {
  kind: RegistryKind;
  id: string;
  name: string;
  version: number;
  /** sha256 of the canonical content, hex. */
  contentHash: string;
  /** False when identical content was already registered: `version` is that version. */
  created: boolean;
}

export interface RegisterPromptRequest {
  name: string;
  template: string;
  /** Default: the template's `{{name}}` placeholders. */
  variables?: string[] | null;
}

export interface RegisterModelProfileRequest {
  name: string;
  provider: string;
  model: string;
  parameters: Record<string, unknown>;
}

export interface DatasetDetails {
  format: 'jsonl';
  caseCount: number;
  description: string | null;
}
export interface PromptDetails {
  template: string;
  variables: string[];
}
export interface ModelProfileDetails {
  provider: string;
  model: string;
  parameters: Record<string, unknown>;
}

export interface ResourceSummary {
  kind: RegistryKind;
  id: string;
  name: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface VersionApproval {
  approvedBy: string | null;
  approvedAt: string;
  comment: string | null;
}

/** Why and by whom a version was rejected: it is never approved, never the `approved` label's version. */
export interface VersionRejection {
  rejectedBy: string | null;
  rejectedAt: string;
  reason: string;
}

export interface VersionSummary {
  kind: RegistryKind;
  id: string;
  name: string;
  version: number;
  contentHash: string;
  registeredBy: string | null;
  registeredAt: string;
  approval: VersionApproval | null;
  rejection: VersionRejection | null;
  details: DatasetDetails | PromptDetails | ModelProfileDetails;
}

/** A run that pinned this version (lineage), newest first. */
export interface LineageRun {
  runId: string;
  status: string;
  /** The content the run pinned: the version's hash, proof the run read what the registry holds. */
  contentHash: string;
  configHash: string;
  requestedAt: string;
  finishedAt: string | null;
}

export interface VersionView extends VersionSummary {
  lineage: { total: number; runs: LineageRun[] };
}

/** One stored case, in the dataset file format. */
export interface DatasetCase {
  id: string;
  question: string;
  answer: string;
  contexts: string[];
  ground_truth?: string;
  metadata?: Record<string, unknown>;
}

export interface RegistryResourceRef {
  kind: RegistryKind;
  id: string;
}
export interface RegistryVersionRef extends RegistryResourceRef {
  version: number;
}
export interface RegistryPageQuery {
  limit?: number;
  cursor?: string;
}

/**
 * Version labels a run may name instead of a number: `latest`, the newest version; `approved`,
 * the newest approved version. (The registry has no other labels.)
 */
export const REGISTRY_LABELS = ['latest', 'approved'] as const;
export type RegistryLabel = (typeof REGISTRY_LABELS)[number];

/**
 * How a run names a registered prompt or model profile: by id or by name, at a version number or
 * a label (neither: `latest`). The registry resolves it to one exact version, which the run pins.
 */
export interface RegistryReference {
  id?: string | null;
  name?: string | null;
  version?: number | null;
  label?: RegistryLabel | null;
}

/** What a run names in the registry, resolved and checked together before it is submitted. */
export interface PinRunVersionsRequest {
  dataset?: { id: string; version: number } | null;
  prompt?: RegistryReference | null;
  modelProfile?: RegistryReference | null;
}

/**
 * The exact versions a run pins, with their content hashes; and, so the run is checked against it,
 * the project's policy (null: never set) and the pinned model profile's `provider:model`.
 */
export interface PinnedRunVersions {
  dataset: VersionRef | null;
  prompt: VersionRef | null;
  modelProfile: VersionRef | null;
  policy: ProjectPolicy | null;
  modelProfileModel: string | null;
}

/**
 * A project's policy as set by its admins, whole (PUT): the provider:model entries (or provider:*)
 * and metrics its runs may use, its LLM spend caps per UTC day and month, and whether its runs
 * pin approved registry versions only. A field left out or null does not limit.
 */
export interface SetProjectPolicyRequest {
  allowedModels?: string[] | null;
  allowedMetrics?: string[] | null;
  dailyCapUsd?: number | null;
  monthlyCapUsd?: number | null;
  approvedVersionsOnly?: boolean;
  /** Why it changes, for the audit log. */
  reason?: string | null;
}

/** The policy in force (revision 0: never set), and whether the operator requires approval of this project anyway. */
export interface ProjectPolicyView extends ProjectPolicy {
  projectId: string;
  /** REGISTRY_APPROVAL_REQUIRED names the project: its runs pin approved versions whatever the policy says. */
  operatorRequiresApproval: boolean;
}

/** A run naming an unapproved version in a project whose policy requires approval: an HTTP 422. */
export const VERSION_NOT_APPROVED_STATUS = 422;

export interface RegistryOperations {
  registerPrompt: { input: RegisterPromptRequest; output: RegisteredVersion };
  registerModelProfile: { input: RegisterModelProfileRequest; output: RegisteredVersion };
  listResources: { input: { kind: RegistryKind } & RegistryPageQuery; output: Page<ResourceSummary> };
  getResource: { input: RegistryResourceRef; output: ResourceSummary };
  listVersions: { input: RegistryResourceRef & RegistryPageQuery; output: Page<VersionSummary> };
  getVersion: { input: RegistryVersionRef; output: VersionView };
  getDatasetCases: { input: { id: string; version: number } & RegistryPageQuery; output: Page<DatasetCase> };
  approveVersion: { input: RegistryVersionRef & { comment?: string | null }; output: VersionView };
  /** Approvers only; a reason is required; a version approved already is a conflict (409). */
  rejectVersion: { input: RegistryVersionRef & { reason: string }; output: VersionView };
  /** Resolves a run's references to exact versions; refuses (422) unapproved ones where approval is required. */
  pinRunVersions: { input: PinRunVersionsRequest; output: PinnedRunVersions };
  getProjectPolicy: { input: Record<string, never>; output: ProjectPolicyView };
  /** Admins only: sets the project's policy whole (ProjectPolicyChanged when anything changes). */
  setProjectPolicy: { input: SetProjectPolicyRequest; output: ProjectPolicyView };
}

/**
 * Dataset content is streamed, never sent as one JSON value: `POST {DATASET_UPLOAD_PATH}` with
 * the signed identity header, `content-type: application/x-ndjson`, the cases one per line, and
 * DatasetUploadParams in the query string. Answers RegisteredVersion, or a problem.
 */
export const DATASET_UPLOAD_PATH = '/internal/v1/uploads/datasets';
export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';

export interface DatasetUploadParams {
  name: string;
  description?: string | null;
  /** How the client sent the cases, for error locations: `jsonl` lines (default) or a JSON body's `cases[i]`. */
  source?: 'jsonl' | 'json';
}

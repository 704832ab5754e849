import type { EvalVaultEvent } from '@evalvault/contracts';
import { ForeignStreamError, type CommandContext, type ContentStore } from '@evalvault/platform';
import type { RegisteredVersion, RegisterModelProfileRequest, RegisterPromptRequest } from '@evalvault/service-apis';
import type { Logger } from 'pino';
import { CanonicalDataset, type DatasetLimits, type DatasetSourceKind } from '../datasets/canonical-dataset.js';
import { modelProfileContent } from '../model-profiles/model-profile-content.js';
import { promptContent } from '../prompts/prompt-content.js';
import { versionWithContent, type Registration } from './resource.decider.js';
import { RegistryError, RegistryErrorCode } from './resource.errors.js';
import { resourceIdFor, streamIdOf, type ResourceKind } from './resource-kind.js';
import { checkedName, checkedOptionalText } from './resource-name.js';
import type { ResourceRepository } from './resource.repository.js';

/** Where appended events go at once, so the caller reads its own writes (the bus delivers them again later). */
export interface ReadModelFeed {
  apply(event: EvalVaultEvent): Promise<boolean>;
}

export interface DatasetUpload {
  name: unknown;
  description?: unknown;
  source?: DatasetSourceKind;
}

/** The registry's commands: check the input, derive content and hash, let the decider number the version. */
export class RegistryCommands {
  constructor(
    private readonly resources: ResourceRepository,
    private readonly content: ContentStore,
    private readonly readModel: ReadModelFeed,
    private readonly limits: DatasetLimits,
    private readonly logger: Logger,
  ) {}

  /** Streams the cases into the content store in canonical form; the event carries only the hash and count. */
  async registerDataset(
    upload: DatasetUpload,
    cases: AsyncIterable<Uint8Array | string>,
    context: CommandContext,
  ): Promise<RegisteredVersion> {
    const name = checkedName(upload.name);
    const description = checkedOptionalText(upload.description, 'description', 2_000);
    const canonical = new CanonicalDataset(this.limits, upload.source ?? 'jsonl');
    const stored = await this.content.put(canonical.lines(cases));
    const datasetId = resourceIdFor(context.tenantId, context.projectId, 'dataset', name);
    return this.register(
      datasetId,
      {
        kind: 'dataset',
        content: {
          datasetId,
          name,
          contentHash: stored.hash,
          format: 'jsonl',
          caseCount: canonical.caseCount,
          contentRef: `contentstore:${stored.hash}`,
          description,
        },
      },
      context,
    );
  }

  async registerPrompt(input: RegisterPromptRequest, context: CommandContext): Promise<RegisteredVersion> {
    const name = checkedName(input.name);
    const { template, variables, contentHash } = promptContent(input.template, input.variables);
    const promptId = resourceIdFor(context.tenantId, context.projectId, 'prompt', name);
    return this.register(
      promptId,
      { kind: 'prompt', content: { promptId, name, contentHash, template, variables } },
      context,
    );
  }

  async registerModelProfile(input: RegisterModelProfileRequest, context: CommandContext): Promise<RegisteredVersion> {
    const name = checkedName(input.name);
    const { provider, model, parametersJson, contentHash } = modelProfileContent(
      input.provider,
      input.model,
      input.parameters,
    );
    const modelProfileId = resourceIdFor(context.tenantId, context.projectId, 'model_profile', name);
    return this.register(
      modelProfileId,
      { kind: 'model_profile', content: { modelProfileId, name, contentHash, provider, model, parametersJson } },
      context,
    );
  }

  async approveVersion(
    kind: ResourceKind,
    resourceId: string,
    version: number,
    comment: string | null,
    context: CommandContext,
  ): Promise<void> {
    if (!Number.isSafeInteger(version) || version < 1)
      throw new RegistryError(RegistryErrorCode.InvalidInput, 'version: a whole number >= 1 is required');
    const checkedComment = checkedOptionalText(comment, 'comment', 2_000);
    const { events } = await this.scoped(() =>
      this.resources.handle(
        streamIdOf(kind, resourceId),
        { type: 'ApproveVersion', kind, resourceId, version, comment: checkedComment },
        context,
      ),
    );
    await this.feed(events);
  }

  /** The decider requires the reason; here it is only bounded like any text. */
  async rejectVersion(
    kind: ResourceKind,
    resourceId: string,
    version: number,
    reason: unknown,
    context: CommandContext,
  ): Promise<void> {
    if (!Number.isSafeInteger(version) || version < 1)
      throw new RegistryError(RegistryErrorCode.InvalidInput, 'version: a whole number >= 1 is required');
    const checkedReason = checkedOptionalText(reason, 'reason', 2_000) ?? '';
    const { events } = await this.scoped(() =>
      this.resources.handle(
        streamIdOf(kind, resourceId),
        { type: 'RejectVersion', kind, resourceId, version, reason: checkedReason },
        context,
      ),
    );
    await this.feed(events);
  }

  private async register(
    resourceId: string,
    registration: Registration,
    context: CommandContext,
  ): Promise<RegisteredVersion> {
    const { events, state } = await this.scoped(() =>
      this.resources.handle(
        streamIdOf(registration.kind, resourceId),
        { type: 'RegisterVersion', registration },
        context,
      ),
    );
    await this.feed(events);
    const { contentHash, name } = registration.content;
    const { version } = versionWithContent(state, contentHash)!;
    return { kind: registration.kind, id: resourceId, name, version, contentHash, created: events.length > 0 };
  }

  /** A stream of another tenant or project is answered as a missing one. */
  private async scoped<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ForeignStreamError) throw new RegistryError(RegistryErrorCode.Foreign, 'not found');
      throw error;
    }
  }

  /** Best effort: the bus applies the same events later if this fails. */
  private async feed(events: readonly EvalVaultEvent[]): Promise<void> {
    for (const event of events) {
      try {
        await this.readModel.apply(event);
      } catch (error) {
        this.logger.warn(
          { err: error, eventId: event.eventId },
          'read model not updated at once; the bus will apply the event',
        );
        return;
      }
    }
  }
}

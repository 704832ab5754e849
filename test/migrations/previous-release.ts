/**
 * The previous release, until releases are tagged: commit 3e810bb ("Event store appends rows as
 * multi-row VALUES…"), the last commit before the migrations that scope LLM state by tenant. These
 * are the migrations each schema's list held at that commit (read with
 * `git show 3e810bb:<file of the schema's list>`); memory's list was empty then.
 *
 * At a release, replace this with the release's tag and lists: `PREVIOUS_RELEASE` is always the
 * release before the one being built, so the upgrade test proves the upgrade users will run.
 */
export const PREVIOUS_RELEASE = {
  commit: '3e810bb91780902d985b1d19e0672d2096509b88',
  migrations: {
    eventstore: ['CreateEventStore1764115200000'],
    contentstore: ['CreateContentStore1764500000000'],
    runs: [
      'CreateInbox1764115300000',
      'CreateRunsReadModel1764300000000',
      'CreateRunCasesReadModel1764300100000',
      'CreateLlmRateLimitBuckets1764288000000',
      'CreateLlmProjectSpend1764288100000',
      'CreateLlmResponseCache1764288200000',
      'CreateLlmRateWindows1765100000000',
    ],
    gateway: [
      'CreateApiKeys1764400000000',
      'CreateIdempotencyKeys1764201600000',
      'AddApiKeyTenantRoles1764900000000',
      'CreateMembers1764900000001',
      'ScopeIdempotencyKeys1765000000000',
      'DropBootstrapAuditorRole1765100000000',
      'CreateTenantMembers1765100000001',
    ],
    registry: ['CreateInbox1764115300000', 'CreateRegistryReadModel1764500100000'],
    notifier: ['CreateInbox1764115300000', 'CreateNotifierReadModel1764400000000'],
    audit: [
      'CreateInbox1764115300000',
      'CreateAuditLog1764400000000',
      'CreateSubjectKeys1764400100000',
      'AddPendingRetention1765100000000',
    ],
    memory: [],
  } as Record<string, string[]>,
};

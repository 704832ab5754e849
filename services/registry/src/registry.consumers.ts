/** The registry's consumer group: its read model (versions, approvals, lineage from the runs topic). */
export const READ_MODEL = Symbol('registry-read-model');

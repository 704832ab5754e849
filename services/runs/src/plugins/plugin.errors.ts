/**
 * Why a plugin is refused at start (the service does not start), or why a plugin metric could not
 * score a case (the case fails with the code; the worker goes on).
 */
export enum PluginErrorCode {
  NotFound = 'PLUGIN_NOT_FOUND',
  BadManifest = 'PLUGIN_BAD_MANIFEST',
  ApiIncompatible = 'PLUGIN_API_INCOMPATIBLE',
  MetricCollision = 'PLUGIN_METRIC_COLLISION',
  NotApproved = 'PLUGIN_NOT_APPROVED',
  LoadFailed = 'PLUGIN_LOAD_FAILED',
  /** The metric threw or its promise rejected. */
  Threw = 'PLUGIN_THREW',
  /** The metric did not answer within the per-case time limit; its thread was stopped. */
  Timeout = 'PLUGIN_TIMEOUT',
  /** The thread reached its memory limit and was stopped. */
  MemoryLimit = 'PLUGIN_MEMORY_LIMIT',
  /** The thread ended otherwise (process.exit, an uncaught error outside the metric). */
  Crashed = 'PLUGIN_CRASHED',
  /** The metric answered something other than {score in [0, 1], explanation}. */
  BadResult = 'PLUGIN_BAD_RESULT',
  /** The run pinned another version or checksum of the plugin than this worker loaded. */
  VersionChanged = 'PLUGIN_VERSION_CHANGED',
}

export class PluginError extends Error {
  override readonly name = 'PluginError';

  constructor(
    readonly code: PluginErrorCode,
    message: string,
  ) {
    super(`${message} [${code}]`);
  }
}

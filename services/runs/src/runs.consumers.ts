/** Consumer groups of the runs service, each its own bus server (see runs.runtime.ts). */
export const PLANNER = Symbol('runs-planner');
export const WORKER = Symbol('runs-workers');
export const READ_MODEL = Symbol('runs-read-model');
/** The drift watcher: RunCompleted of scheduled runs (role `watcher`). */
export const WATCHER = Symbol('runs-watcher');

/** Consumer groups of the notifier, each its own bus server (see notifier.composition.ts). */
export const DISPATCH = Symbol('notifier-dispatch');
export const READ_MODEL = Symbol('notifier-read-model');

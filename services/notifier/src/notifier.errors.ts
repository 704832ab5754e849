export enum NotifierErrorCode {
  RouteNotFound = 'ROUTE_NOT_FOUND',
  RouteConflict = 'ROUTE_CONFLICT',
  InvalidInput = 'INVALID_INPUT',
  EgressRefused = 'EGRESS_REFUSED',
}

/** What the notifier refuses, with a code the internal API maps to the caller's status in one table. */
export class NotifierError extends Error {
  constructor(
    readonly code: NotifierErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NotifierError';
  }
}

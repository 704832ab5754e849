import {
  EXPORT_DESTINATION_TYPES,
  type Destination,
  type ExportDestination,
  type ExportDestinationType,
} from '@evalvault/service-apis';

/** What a route stored in the notifier delivers to: a notification destination or a tracker export. */
export type AnyDestination = Destination | ExportDestination;
export type AnyDestinationType = AnyDestination['type'];

/** Exports and notification routes share streams, read model and worker; the API keeps them apart by type. */
export function isExportDestination(destination: { type: string }): destination is ExportDestination {
  return (EXPORT_DESTINATION_TYPES as readonly string[]).includes(destination.type);
}

export const isExportType = (type: string): type is ExportDestinationType =>
  (EXPORT_DESTINATION_TYPES as readonly string[]).includes(type);

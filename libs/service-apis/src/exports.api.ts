/**
 * Tracker exports: a project's completed runs pushed to the trackers its teams already use
 * (Langfuse, MLflow, any OTLP backend such as Phoenix). Owned by the notifier, configured like
 * notification routes and delivered by the same worker (see services/notifier/src/exports).
 */
export const EXPORT_TRIGGERS = ['RunCompleted'] as const;
export type ExportTrigger = (typeof EXPORT_TRIGGERS)[number];

export const EXPORT_DESTINATION_TYPES = ['langfuse', 'mlflow', 'otlp'] as const;
export type ExportDestinationType = (typeof EXPORT_DESTINATION_TYPES)[number];

/** A `…Ref` names a secret (`env:NAME` or `file:/path`), never holds it. */
export type ExportDestination =
  /** Langfuse public ingestion API; Basic auth with the project's public and secret keys. */
  | { type: 'langfuse'; baseUrl: string; publicKeyRef: string; secretKeyRef: string }
  /** MLflow tracking server REST API; `tokenRef`: a Bearer token when the server wants one. */
  | { type: 'mlflow'; trackingUrl: string; experimentName: string; tokenRef?: string | null }
  /**
   * An OTLP/HTTP traces endpoint (Phoenix: http://host:6006/v1/traces); `headersRef`: a secret holding
   * `name=value` pairs, comma-separated (e.g. `authorization=Bearer …`), as OTEL_EXPORTER_OTLP_HEADERS.
   */
  | {
      type: 'otlp';
      endpoint: string;
      encoding?: 'protobuf' | 'json' | null;
      headersRef?: string | null;
      serviceName?: string | null;
    };

export interface CreateExportRequest {
  name: string;
  on: ExportTrigger[];
  destination: ExportDestination;
}

export interface ExportView {
  exportId: string;
  projectId: string;
  name: string;
  on: ExportTrigger[];
  destination: ExportDestination;
  createdBy: string;
  /** ISO 8601 UTC. */
  createdAt: string;
}

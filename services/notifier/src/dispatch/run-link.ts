/** Where links point when nothing says otherwise: the gateway's default address. */
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8080';

/** What the embedded platform tells the notifier: where its gateway listens, once it does. */
export interface NotifierPeers {
  gatewayUrl: () => string | null;
}

/**
 * The base of the links in messages: EVALVAULT_PUBLIC_URL when set; else, embedded, the
 * address the gateway actually listens on (known only after the notifier is composed, so
 * asked for at each message); else the default.
 */
export function publicUrlSource(configured: string | null, peers: NotifierPeers | undefined): () => string {
  return () => configured ?? peers?.gatewayUrl()?.replace(/\/$/, '') ?? DEFAULT_PUBLIC_URL;
}

/**
 * A message's "Open the run": the run's page under the public URL (the console's root; the
 * console is to come), not the bearer-protected JSON of /v1, which a browser cannot open.
 */
export function runPageUrl(publicUrl: string, runId: string): string {
  return `${publicUrl}/runs/${encodeURIComponent(runId)}`;
}

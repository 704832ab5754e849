/**
 * The public /v1 API with the signed-in credential (a pasted API key or an OIDC access token), which lives
 * in sessionStorage only (gone with the tab).
 */
const KEY = 'evalvault.credential';
const EXPIRES = 'evalvault.credential.expires';

export const credential = {
  get: () => sessionStorage.getItem(KEY),
  /** expiresInSec: an access token's lifetime as its issuer gave it; an API key's validity is the server's to say. */
  set: (value, expiresInSec) => {
    sessionStorage.setItem(KEY, value);
    if (expiresInSec > 0) sessionStorage.setItem(EXPIRES, String(Date.now() + expiresInSec * 1000));
    else sessionStorage.removeItem(EXPIRES);
  },
  expired: () => Number(sessionStorage.getItem(EXPIRES) ?? Infinity) <= Date.now(),
  clear: () => {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(EXPIRES);
  },
};

let onUnauthenticated = () => undefined;
/** Called when the API answers 401: the credential expired or was revoked while the console was open. */
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${credential.get() ?? ''}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.status === 401) onUnauthenticated();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const project = (p) => `/v1/projects/${encodeURIComponent(p)}`;

/** A paged list (items, nextCursor) read page by page until `limit` items or the end. */
export async function allPages(path, limit) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(`${path}?${new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}) })}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < limit);
  return items;
}

/**
 * Follows a run's progress stream (GET …/runs/{id}/events). EventSource cannot send an Authorization
 * header, so the stream is read with fetch; onEvent(name, data) for each frame. Returns a stop function.
 */
export function followRun(projectId, runId, onEvent) {
  const controller = new AbortController();
  (async () => {
    const response = await fetch(`${project(projectId)}/runs/${encodeURIComponent(runId)}/events`, {
      headers: { authorization: `Bearer ${credential.get() ?? ''}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (name && data) onEvent(name, JSON.parse(data));
      }
    }
  })().catch(() => undefined);
  return () => controller.abort();
}

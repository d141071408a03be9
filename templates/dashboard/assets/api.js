// The JSON API: same-origin fetch, one line errors, cancellation of superseded requests,
// and the CSRF header on every change.

/** An API failure: HTTP status plus the server's one line reason. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

const csrfToken = () => document.querySelector('meta[name="pairbook-csrf"]')?.content ?? '';

/** `/api/bars?symbol=…`: leaves out null and undefined parameters. */
export function url(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString().replaceAll('%2F', '/').replaceAll('%2C', ',');
  return s ? `${path}?${s}` : path;
}

async function failure(response) {
  let reason = `${response.status} ${response.statusText}`.trim();
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') reason = body.error;
  } catch { /* not JSON: keep the status line */ }
  return new ApiError(response.status, reason);
}

/** GETs started before their page asked (boot.js), by URL; each is taken once. */
const early = new Map();

/** Starts GET `path` now, for a getJSON of the same URL to take later (no signal: it is not aborted). */
export function prefetch(path, params = {}) {
  const u = url(path, params);
  if (early.has(u)) return;
  const response = fetch(u, { headers: { Accept: 'application/json' } });
  response.catch(() => {}); // a failure is seen (and fetched again) by the getJSON that takes it
  early.set(u, response);
}

/** GET a JSON document (the prefetched answer when one for the same URL is on its way). */
export async function getJSON(path, params = {}, { signal } = {}) {
  const u = url(path, params);
  const started = early.get(u);
  early.delete(u);
  let response = started ? await started.catch(() => null) : null;
  signal?.throwIfAborted();
  if (!response) response = await fetch(u, { signal, headers: { Accept: 'application/json' } });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** POST, PUT or DELETE with a JSON body and the CSRF header; resolves to the JSON answer or null (204). */
export async function send(method, path, body) {
  const headers = { 'X-Pairbook-CSRF': csrfToken(), Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * One in-flight request per key: starting a new one aborts the older one, so a late answer for an
 * old selection can never overwrite a newer one.
 */
export class Latest {
  #controllers = new Map();

  /** A signal for `key`, aborting the request that held the key before. */
  signal(key) {
    this.#controllers.get(key)?.abort();
    const controller = new AbortController();
    this.#controllers.set(key, controller);
    return controller.signal;
  }

  /** Forgets `key` once its request is done (only if no newer one took it). */
  done(key, signal) {
    if (this.#controllers.get(key)?.signal === signal) this.#controllers.delete(key);
  }
}

/** True for the error an aborted fetch rejects with. */
export const isAbort = (error) => error?.name === 'AbortError';

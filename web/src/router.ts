/**
 * Hash routes: `#/` (search, its question and filters in the query: `#/?q=…&camera=…`),
 * `#/event/<id>`, `#/cameras` (every camera's live state) and `#/gateway` (the model gateway's
 * keys and usage, its days and key filter in the query: `#/gateway?days=30&key=laptop`). Each render gets an AbortSignal
 * that fires when the route changes, so a slow response for a page the user left never lands on
 * the new one (and a page that refreshes itself stops).
 */

export type Route =
  | { name: 'search'; params: URLSearchParams }
  | { name: 'event'; id: string }
  | { name: 'cameras' }
  | { name: 'gateway'; params: URLSearchParams }
  | { name: 'not_found'; hash: string };

export const CAMERAS_HASH = '#/cameras';
export const GATEWAY_HASH = '#/gateway';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const [pathname = '/', query = ''] = path.split(/\?(.*)/s, 2);
  if (pathname === '/' || pathname === '') return { name: 'search', params: new URLSearchParams(query) };
  if (pathname === '/cameras' || pathname === '/cameras/') return { name: 'cameras' };
  if (pathname === '/gateway' || pathname === '/gateway/') return { name: 'gateway', params: new URLSearchParams(query) };
  const event = /^\/event\/(.+)$/.exec(pathname);
  if (event?.[1]) {
    try {
      return { name: 'event', id: decodeURIComponent(event[1]) };
    } catch {
      return { name: 'not_found', hash }; // malformed percent-encoding
    }
  }
  return { name: 'not_found', hash };
}

export function searchHash(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && (value !== '' || key === 'q')) query.set(key, value);
  const text = query.toString();
  return text ? `#/?${text}` : '#/';
}

/** Every event of one camera: the search with an empty question and only the camera filter. */
export function cameraEventsHash(cameraId: string): string {
  return searchHash({ q: '', camera: cameraId });
}

/** The gateway page over the last `days` UTC days, of one key or (without `key`) all. */
export function gatewayHash(params: { days: number; key?: string | undefined }): string {
  const query = new URLSearchParams({ days: String(params.days) });
  if (params.key) query.set('key', params.key);
  return `${GATEWAY_HASH}?${query.toString()}`;
}

export function eventHash(id: string): string {
  return `#/event/${encodeURIComponent(id)}`;
}

let lastSearch = '#/';

/** Where "back to results" goes: the last search the user saw. */
export function lastSearchHash(): string {
  return lastSearch;
}

export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function startRouter(render: (route: Route, signal: AbortSignal) => void): { refresh(): void } {
  let controller: AbortController | null = null;
  const run = () => {
    controller?.abort();
    controller = new AbortController();
    const route = parseRoute(location.hash);
    if (route.name === 'search') lastSearch = location.hash || '#/';
    render(route, controller.signal);
  };
  window.addEventListener('hashchange', run);
  run();
  return { refresh: run };
}

/** Pieces every view uses: the app context, loading and error states. */
import { ApiError, type ApiClient } from '../api.ts';
import type { Camera } from '../api-types.ts';
import { h } from '../dom.ts';
import { t } from '../i18n.ts';

export interface AppContext {
  api: ApiClient;
  /** The cameras, fetched once and shared (fetched again after a failure). */
  cameras(): Promise<Camera[]>;
}

export function createContext(api: ApiClient): AppContext {
  let cached: Promise<Camera[]> | null = null;
  return {
    api,
    // Not tied to one page's AbortSignal: the list is shared, and leaving a page must not poison it.
    cameras() {
      cached ??= api.cameras().catch((error: unknown) => {
        cached = null;
        throw error;
      });
      return cached;
    },
  };
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.code === 'network' ? t('network_error') : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function loadingView(text: string): HTMLElement {
  return h('p', { class: 'loading', attrs: { role: 'status' } }, h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), text);
}

export function errorView(error: unknown, retry?: () => void): HTMLElement {
  return h(
    'div',
    { class: 'error', attrs: { role: 'alert' } },
    h('strong', null, t('error_title')),
    h('p', { class: 'error-message' }, errorMessage(error)),
    retry ? h('button', { class: 'secondary', attrs: { type: 'button' }, on: { click: retry } }, t('retry')) : null,
  );
}

export function cameraZone(cameras: readonly Camera[], id: string): string | undefined {
  return cameras.find((c) => c.id === id)?.timezone;
}

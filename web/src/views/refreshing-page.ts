/**
 * A page that shows what it read from the API and reads it again every few seconds while the tab
 * is visible, until the view's signal aborts (the user left the page). It owns the heading, the
 * "updated at" line, the Refresh button, and what a failed read shows: the error with a retry
 * while nothing was shown yet, else a status line over the old data, which stays visible.
 * The view owns the body and fills it in `show`.
 */
import { h, mount, type Child } from '../dom.ts';
import { formatTime } from '../format.ts';
import { t } from '../i18n.ts';
import { errorMessage, errorView, loadingView } from './common.ts';

export interface RefreshingPageOptions<T> {
  /** The section's own class, next to the shared `refreshing-page`. */
  className: string;
  /** Prefix of the page's own classes next to the shared ones: `${prefix}-head`, `-meta`, `-updated`, `-refresh`, `-stale`, `-body`. */
  classPrefix: string;
  /** The heading's id; the section is labelled by it. */
  titleId: string;
  title: string;
  refreshLabel: string;
  /** The "updated at" line, from the clock time of the last good read. */
  updatedText(time: string): string;
  /** The line over old data after a failed read, from the error's message and the clock time of the last good read. */
  staleText(message: string, time: string): string;
  refreshMs: number;
  read(signal: AbortSignal): Promise<T>;
  show(data: T): void;
  /** An error a retry cannot mend: what to show instead of the page (refreshing stops), or undefined. */
  finalError?(error: unknown): Child[] | undefined;
  /** Parts after the body, such as a screen-reader announcer. */
  after?: Child[];
}

/**
 * Calls `hidden` whenever the tab is hidden and once when `signal` aborts, `shown` whenever it
 * is shown again: nothing a page runs on a timer should run while nobody can see it.
 */
export function onVisibilityChange(signal: AbortSignal, handlers: { shown(): void; hidden(): void }): void {
  if (signal.aborted) return;
  const onChange = () => (document.hidden ? handlers.hidden() : handlers.shown());
  document.addEventListener('visibilitychange', onChange);
  signal.addEventListener(
    'abort',
    () => {
      document.removeEventListener('visibilitychange', onChange);
      handlers.hidden();
    },
    { once: true },
  );
}

function clock(ms: number): string {
  return formatTime(new Date(ms).toISOString(), { withDate: false });
}

/**
 * Builds the page into `root` and starts the first read. `show` is only ever called from a later
 * task (a promise callback), so the view may finish building its own parts after this returns.
 */
export function renderRefreshingPage<T>(root: HTMLElement, signal: AbortSignal, options: RefreshingPageOptions<T>): { body: HTMLElement } {
  const part = (name: string) => `page-${name} ${options.classPrefix}-${name}`;
  const updated = h('span', { class: part('updated') });
  const refreshButton = h('button', { class: `secondary ${part('refresh')}`, attrs: { type: 'button' }, on: { click: () => load() } }, options.refreshLabel);
  const stale = h('p', { class: part('stale'), attrs: { role: 'status' } });
  const body = h('div', { class: part('body') });
  mount(
    root,
    h(
      'section',
      { class: `refreshing-page ${options.className}`, attrs: { 'aria-labelledby': options.titleId } },
      h('div', { class: part('head') }, h('h1', { attrs: { id: options.titleId } }, options.title), h('p', { class: part('meta') }, updated, refreshButton)),
      stale,
      body,
      ...(options.after ?? []),
    ),
  );
  mount(body, loadingView(t('loading')));

  let lastOkAt: number | null = null;
  let pending = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function schedule(): void {
    clearTimeout(timer);
    if (!signal.aborted && !document.hidden) timer = setTimeout(load, options.refreshMs);
  }

  function load(): void {
    if (pending || signal.aborted) return;
    pending = true;
    clearTimeout(timer);
    refreshButton.disabled = true;
    options.read(signal).then(
      (data) => {
        pending = false;
        if (signal.aborted) return;
        refreshButton.disabled = false;
        lastOkAt = Date.now();
        stale.textContent = '';
        options.show(data);
        updated.textContent = options.updatedText(clock(lastOkAt));
        schedule();
      },
      (error: unknown) => {
        pending = false;
        if (signal.aborted) return;
        refreshButton.disabled = false;
        const final = options.finalError?.(error);
        if (final) {
          mount(body, ...final);
          return;
        }
        if (lastOkAt === null) mount(body, errorView(error, load));
        else stale.textContent = options.staleText(errorMessage(error), clock(lastOkAt));
        schedule();
      },
    );
  }

  // Coming back to the tab shows the current state at once.
  onVisibilityChange(signal, { shown: load, hidden: () => clearTimeout(timer) });
  load();
  return { body };
}

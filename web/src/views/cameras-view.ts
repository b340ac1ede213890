/**
 * `#/cameras`: every camera with its live state (connected or reconnecting and when it tries
 * next, input against processed frames/s, drops, queue, reconnects, last frame, last error) and
 * its events, with the worker that runs it when several Vigil processes share the storage, and
 * those workers in a table below. It reads `GET /api/cameras` and `GET /api/workers` again every
 * few seconds while the tab is visible and until the user leaves the page; cells change only where
 * the state did, and status changes are announced to screen readers.
 */
import { ApiError, type ApiClient } from '../api.ts';
import type { Camera, WorkersResponse } from '../api-types.ts';
import { h, mount } from '../dom.ts';
import { formatRelative } from '../format.ts';
import { t } from '../i18n.ts';
import { cameraName, COLUMNS, statusBadge, statusText, type Placement, type Ticker } from './camera-cells.ts';
import { errorMessage, type AppContext } from './common.ts';
import { onVisibilityChange, renderRefreshingPage } from './refreshing-page.ts';
import { placeRows, statusRow, statusTable, updateWhenChanged, type StatusRow } from './status-table.ts';
import { createWorkersTable } from './workers-table.ts';

export const REFRESH_MS = 5_000;
const TICK_MS = 1_000;



/** What the workers' read gave: their state (and when it was read), a failure to show, or nothing: a server without it. */
type WorkersRead = { ok: WorkersResponse; atMs: number } | { failed: unknown } | null;

async function readWorkers(api: ApiClient, signal: AbortSignal): Promise<WorkersRead> {
  try {
    return { ok: await api.workers(signal), atMs: Date.now() };
  } catch (error) {
    // A server from before the workers' state answers 404: the page shows the cameras alone.
    if (error instanceof ApiError && error.code === 'not_found') return null;
    // Any other failure must not hide the cameras: it is shown beside them. An abort ends the read.
    if (error instanceof ApiError) return { failed: error };
    throw error;
  }
}

function createTicker(): Ticker & { tick(): void } {
  const items = new Map<Element, () => string>();
  return {
    add: (el, text) => items.set(el, text),
    tick() {
      for (const [el, text] of items) {
        if (!el.isConnected) {
          items.delete(el);
          continue;
        }
        const next = text();
        if (el.textContent !== next) el.textContent = next;
      }
    },
  };
}


function fillRow(row: StatusRow, camera: Camera, ticker: Ticker, placement: Placement | undefined): void {
  const name = cameraName(camera);
  row.row.dataset.cameraId = camera.id;
  row.row.dataset.status = camera.live?.status ?? 'not_live';
  updateWhenChanged(row.name, JSON.stringify([name, camera.id]), () =>
    mount(row.name, h('span', { class: 'camera-name' }, name), name !== camera.id ? h('span', { class: 'camera-id' }, camera.id) : null),
  );
  COLUMNS.forEach((col, i) => {
    const { cell, value } = row.cells[i]!;
    const { sig, content, empty } = col.cell(camera, ticker, placement);
    updateWhenChanged(value, sig, () => {
      mount(value, ...content);
      cell.classList.toggle('cell-empty', Boolean(empty));
    });
  });
}


/** Counts per state, in a fixed order, as badges with numbers. */
function overview(cameras: readonly Camera[]): HTMLElement {
  const order = ['waiting', 'connecting', 'streaming', 'stopped'];
  const groups = new Map<string, Camera[]>();
  for (const c of cameras) {
    const key = c.live?.status ?? '';
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const keys = [...groups.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  return h(
    'ul',
    { class: 'camera-overview', attrs: { 'aria-label': t('cameras_overview') } },
    ...keys.map((key) => {
      const list = groups.get(key)!;
      return h('li', { class: 'camera-overview-item' }, statusBadge(list[0]!.live), h('span', { class: 'count' }, list.length));
    }),
  );
}

export function renderCamerasView(root: HTMLElement, ctx: AppContext, signal: AbortSignal): void {
  document.title = `${t('cameras_title')} — ${t('app_title')}`;
  const announcer = h('p', { class: 'visually-hidden', attrs: { role: 'status' } });
  const { body } = renderRefreshingPage(root, signal, {
    className: 'cameras',
    classPrefix: 'cameras',
    titleId: 'cameras-title',
    title: t('cameras_title'),
    refreshLabel: t('cameras_refresh'),
    updatedText: (time) => `${t('cameras_updated', { time })} · ${t('cameras_auto', { n: REFRESH_MS / 1000 })}`,
    staleText: (message, time) => t('cameras_stale', { message, time }),
    refreshMs: REFRESH_MS,
    read: (readSignal) => Promise.all([ctx.api.cameras(readSignal), readWorkers(ctx.api, readSignal)]),
    show: ([cameras, workersRead]) => {
      takeWorkers(workersRead);
      render(cameras);
      announce(cameras);
      ticker.tick();
    },
    after: [announcer],
  });

  const ticker = createTicker();
  const rows = new Map<string, StatusRow>();
  let built: { table: HTMLTableElement; body: HTMLTableSectionElement; overview: HTMLElement; note: HTMLElement } | null = null;
  let lastStatus = new Map<string, string>();
  let tickTimer: ReturnType<typeof setInterval> | undefined;

  // The workers as last read (kept over a failed read, like the page's other data), and when each
  // last reported by this browser's clock: the server gives ages, the ticker keeps them growing.
  let workers: WorkersResponse | null = null;
  const reportedAt = new Map<string, number>();
  const reportAge = (workerId: string) => {
    const at = reportedAt.get(workerId);
    return at === undefined ? '' : formatRelative(new Date(at).toISOString(), Date.now(), 'past');
  };
  const seen = (workerId: string) => {
    const age = reportAge(workerId);
    return age && t('worker_seen', { when: age });
  };
  const workersTable = createWorkersTable(ticker, reportAge);
  const workersFailed = h('p', { class: 'page-stale workers-stale', attrs: { role: 'status' } });

  function takeWorkers(read: WorkersRead): void {
    workersFailed.textContent = read && 'failed' in read ? t('workers_error', { message: errorMessage(read.failed) }) : '';
    if (read && 'failed' in read) return;
    workers = read?.ok ?? null;
    reportedAt.clear();
    if (read) for (const w of read.ok.workers) reportedAt.set(w.id, read.atMs - w.heartbeat_age_ms);
  }

  function placements(cameras: readonly Camera[]): Map<string, Placement> {
    const byId = new Map((workers?.workers ?? []).map((w) => [w.id, w]));
    const wanted = new Set(cameras.map((c) => c.id));
    return new Map(
      (workers?.cameras ?? []).filter((holding) => wanted.has(holding.camera)).map((holding) => [holding.camera, { holding, worker: holding.holder === null ? undefined : byId.get(holding.holder), seen }]),
    );
  }

  function render(cameras: Camera[]): void {
    if (cameras.length === 0) {
      built = null;
      rows.clear();
      mount(body, h('p', { class: 'muted' }, t('cameras_none')));
      return;
    }
    if (!built) {
      rows.clear();
      const parts = statusTable({ className: 'camera-table', prefix: 'camera', caption: 'cameras_caption', firstHeader: 'camera', columns: COLUMNS });
      built = { ...parts, overview: h('div'), note: h('p', { class: 'muted cameras-note' }, t('cameras_none_live')) };
      mount(body, built.overview, built.note, h('div', { class: 'camera-table-wrap' }, parts.table), workersFailed, workersTable.element);
    }
    const fresh = overview(cameras);
    built.overview.replaceWith(fresh);
    built.overview = fresh;
    built.note.hidden = cameras.some((c) => c.live);
    // The Frigate column only where Frigate feeds a camera: an always-empty column is noise.
    built.table.classList.toggle('without-frigate', !cameras.some((c) => c.frigate));
    // The worker column and table only where the server tells about workers.
    built.table.classList.toggle('without-workers', !workers);
    workersTable.element.hidden = !workers;
    if (workers) {
      workersTable.render(workers, (id) => {
        const camera = cameras.find((c) => c.id === id);
        return camera ? cameraName(camera) : id;
      });
    }
    const placed = placements(cameras);
    const wanted = cameras.map((camera) => {
      const row = rows.get(camera.id) ?? statusRow('camera', COLUMNS);
      rows.set(camera.id, row);
      fillRow(row, camera, ticker, placed.get(camera.id));
      return row.row;
    });
    for (const [id, row] of rows) {
      if (cameras.some((c) => c.id === id)) continue;
      row.row.remove();
      rows.delete(id);
    }
    placeRows(built.body, wanted);
  }

  function announce(cameras: Camera[]): void {
    const next = new Map(cameras.map((c) => [c.id, statusText(c.live)]));
    if (lastStatus.size) {
      const changes = cameras.filter((c) => lastStatus.has(c.id) && lastStatus.get(c.id) !== next.get(c.id));
      if (changes.length) announcer.textContent = changes.map((c) => t('live_changed', { camera: cameraName(c), status: next.get(c.id) ?? '' })).join('. ');
    }
    lastStatus = next;
  }

  // Relative times tick only while the tab is visible; coming back shows them current at once.
  const startTicking = () => {
    clearInterval(tickTimer);
    tickTimer = setInterval(() => ticker.tick(), TICK_MS);
  };
  onVisibilityChange(signal, {
    shown: () => {
      ticker.tick();
      startTicking();
    },
    hidden: () => clearInterval(tickTimer),
  });
  if (!document.hidden) startTicking();
}

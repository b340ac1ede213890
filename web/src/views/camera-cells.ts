/**
 * The cells of the cameras table, one builder per column. Each gives a signature of what it shows
 * besides its content, so the view rebuilds a cell only when that changed (a refresh every few
 * seconds must not undo a text selection or move the focus). Relative times ("12 s ago") are
 * registered with a ticker that rewrites just their text every second.
 */
import type { Camera, CameraHolding, LiveState, WorkerInfo } from '../api-types.ts';
import { h, type Child } from '../dom.ts';
import { formatCount, formatRate, formatRelative, formatTime, timeText } from '../format.ts';
import { holdingName, liveStatusName, locale, roleName, t } from '../i18n.ts';
import { cameraEventsHash } from '../router.ts';
import type { StatusColumn } from './status-table.ts';

/** Elements whose text follows the clock. */
export interface Ticker {
  add(el: Element, text: () => string): void;
}

export interface CellContent {
  /** Equal signatures mean equal content (relative times aside: the ticker keeps those current). */
  sig: string;
  content: Child[];
  /** Nothing to show for this camera (not live): the phone layout leaves the cell out. */
  empty?: boolean;
}

/** Which worker holds a live camera (`GET /api/workers`), when the server says. */
export interface Placement {
  holding: CameraHolding;
  /** The holder's record; absent when it no longer reports (or none holds the camera). */
  worker: WorkerInfo | undefined;
  /** "seen 3 s ago" for a worker, current whenever it is called; empty once the worker is gone. */
  seen(workerId: string): string;
}

export interface Column extends StatusColumn {
  cell(camera: Camera, ticker: Ticker, placement: Placement | undefined): CellContent;
}

export function cameraName(camera: Camera): string {
  return camera.name ?? camera.id;
}

/** A class name that cannot carry anything surprising from the data. */
function statusClass(live: LiveState | null): string {
  if (!live) return 'live-none';
  return /^[a-z_]+$/.test(live.status) ? `live-${live.status}` : 'live-other';
}

/** Shapes as well as colours, so the state never rests on colour alone. */
const STATUS_ICONS: Record<string, string> = { streaming: '●', waiting: '↻', connecting: '◌', stopped: '■' };

export function statusText(live: LiveState | null): string {
  return live ? liveStatusName(live.status) : t('live_not_live');
}

export function statusBadge(live: LiveState | null): HTMLElement {
  const icon = live ? (STATUS_ICONS[live.status] ?? '?') : '○';
  return h('span', { class: `live-badge ${statusClass(live)}` }, h('span', { class: 'live-icon', attrs: { 'aria-hidden': 'true' } }, icon), statusText(live));
}

/**
 * "12 s ago" that stays current, the absolute time (and the camera's clock) on hover, and the
 * same absolute time as text for screen readers and for phones, which have no hover.
 */
function relativeTime(ticker: Ticker, iso: string, direction: 'past' | 'future', zone: string | undefined, phrase: (when: string) => string = (w) => w): HTMLElement {
  const when = timeText(iso, zone);
  const absolute = when.camera ? `${when.local} · ${when.camera}` : when.local;
  const text = () => phrase(formatRelative(iso, Date.now(), direction));
  const time = h('time', { class: 'rel-time', attrs: { datetime: iso, title: absolute } }, text());
  ticker.add(time, text);
  return h('span', { class: 'when-rel' }, time, h('span', { class: 'abs-time' }, absolute));
}

/** A dash that reads as "not applicable", for cameras that are not live. */
function notApplicable(): CellContent {
  return { sig: 'n/a', empty: true, content: [h('span', { attrs: { 'aria-hidden': 'true' } }, '—'), h('span', { class: 'visually-hidden' }, t('not_applicable'))] };
}

const sig = (...parts: unknown[]) => JSON.stringify(parts);

function statusCell(camera: Camera, ticker: Ticker): CellContent {
  const live = camera.live;
  const zone = camera.timezone;
  if (!live) {
    const note = camera.analysed_until ? t('live_analysed_until', { time: formatTime(camera.analysed_until) }) : t('live_not_live_note');
    return { sig: sig('none', camera.analysed_until), content: [statusBadge(null), h('span', { class: 'live-note' }, note)] };
  }
  let note: Child = null;
  if (live.status === 'waiting' && live.next_attempt_at) {
    note = relativeTime(ticker, live.next_attempt_at, 'future', zone, (when) => t('live_next_try', { when }));
  } else if (live.status === 'streaming' && live.connected_since) {
    note = relativeTime(ticker, live.connected_since, 'past', zone, (when) => t('live_connected_since', { when }));
  } else if (live.status === 'unknown') {
    note = t('live_unreadable');
  }
  return {
    sig: sig(live.status, live.next_attempt_at, live.connected_since),
    content: [statusBadge(live), note ? h('span', { class: 'live-note' }, note) : null],
  };
}

function fpsCell(camera: Camera): CellContent {
  const live = camera.live;
  if (!live) return notApplicable();
  const totals = t('frames_totals', { in: formatCount(live.frames_in), processed: formatCount(live.frames_processed) });
  return {
    sig: sig(live.input_fps, live.processed_fps, live.frames_in, live.frames_processed),
    content: [
      h('span', { class: 'fps-pair' }, h('span', { class: 'fps-in' }, t('fps_in', { n: formatRate(live.input_fps) })), h('span', { class: 'fps-processed' }, t('fps_processed', { n: formatRate(live.processed_fps) }))),
      h('span', { class: 'live-note' }, totals),
    ],
  };
}

function droppedCell(camera: Camera): CellContent {
  const live = camera.live;
  if (!live) return notApplicable();
  const dropped = live.frames_dropped;
  const share = dropped > 0 && live.frames_in > 0 ? new Intl.NumberFormat(locale(), { style: 'percent', maximumSignificantDigits: 2 }).format(dropped / live.frames_in) : null;
  return {
    sig: sig(dropped, share),
    content: [
      h('span', { class: dropped > 0 ? 'count dropped-some' : 'count' }, formatCount(dropped)),
      share ? h('span', { class: 'live-note' }, t('dropped_share', { pct: share })) : null,
    ],
  };
}

function countCell(pick: (live: LiveState) => number): (camera: Camera) => CellContent {
  return (camera) => {
    if (!camera.live) return notApplicable();
    const n = pick(camera.live);
    return { sig: sig(n), content: [h('span', { class: 'count' }, formatCount(n))] };
  };
}

function lastFrameCell(camera: Camera, ticker: Ticker): CellContent {
  const live = camera.live;
  if (!live) return notApplicable();
  if (!live.last_frame_at) return { sig: 'none', content: [h('span', { class: 'muted' }, t('no_frame_yet'))] };
  return { sig: sig(live.last_frame_at), content: [relativeTime(ticker, live.last_frame_at, 'past', camera.timezone)] };
}

function lastErrorCell(camera: Camera, ticker: Ticker): CellContent {
  const live = camera.live;
  if (!live) return notApplicable();
  if (!live.last_error) return { sig: 'none', content: [h('span', { class: 'muted' }, t('no_error'))] };
  return {
    sig: sig(live.last_error, live.last_error_at),
    content: [
      // The message is whatever ffmpeg or the network said: text, never markup.
      h('span', { class: 'live-error' }, live.last_error),
      live.last_error_at ? h('span', { class: 'live-note' }, relativeTime(ticker, live.last_error_at, 'past', camera.timezone)) : null,
    ],
  };
}

function eventsCell(camera: Camera): CellContent {
  const name = cameraName(camera);
  return {
    sig: sig(camera.events, camera.last_event, name),
    content: [
      h('span', { class: 'count' }, formatCount(camera.events)),
      camera.events > 0
        ? h('a', { class: 'camera-events-link', attrs: { href: cameraEventsHash(camera.id) } }, t('events_show'), h('span', { class: 'visually-hidden' }, ` (${name})`))
        : null,
      camera.last_event ? h('span', { class: 'live-note' }, t('events_latest', { time: formatTime(camera.last_event) })) : null,
    ],
  };
}

/** Frigate's messages for this camera, and what must have been lost; empty for cameras Frigate does not feed. */
function frigateCell(camera: Camera): CellContent {
  const f = camera.frigate;
  const dropped = camera.descriptions_dropped ?? 0;
  if (!f && dropped === 0) return notApplicable();
  const received = f ? f.messages.new + f.messages.update + f.messages.end : 0;
  const lost = f ? f.gaps.update_without_new + f.gaps.end_without_new : 0;
  return {
    sig: sig(f, dropped),
    content: [
      f ? h('span', { class: 'count', attrs: { title: t('frigate_by_type', { new: formatCount(f.messages.new), update: formatCount(f.messages.update), end: formatCount(f.messages.end) }) } }, t('frigate_received', { n: formatCount(received) })) : null,
      f
        ? h(
            'span',
            { class: lost > 0 ? 'live-note dropped-some' : 'live-note', attrs: { title: t('frigate_gaps_detail', { update: formatCount(f.gaps.update_without_new), end: formatCount(f.gaps.end_without_new) }) } },
            lost > 0 ? t('frigate_gaps', { n: formatCount(lost) }) : t('frigate_no_gaps'),
          )
        : null,
      dropped > 0 ? h('span', { class: 'live-note dropped-some' }, t('frigate_descriptions_dropped', { n: formatCount(dropped) })) : null,
    ],
  };
}

/** `nvr-1:4180`: how people tell processes apart. */
export function workerName(worker: Pick<WorkerInfo, 'host' | 'pid'>): string {
  return `${worker.host}:${worker.pid}`;
}

/** The worker analysing the camera (host:pid, role, when it last reported), or why none does. */
function workerCell(_camera: Camera, ticker: Ticker, placement: Placement | undefined): CellContent {
  if (!placement) return notApplicable();
  const { holding, worker } = placement;
  if (holding.state === 'held' && holding.holder !== null) {
    const id = holding.holder;
    // The report time follows the clock and each read: its text is the ticker's, not the signature's.
    const seen = h('span', { class: 'live-note worker-seen' }, worker ? placement.seen(id) : t('worker_silent'));
    if (worker) ticker.add(seen, () => placement.seen(id));
    return {
      sig: sig(holding.state, id, worker?.host, worker?.pid, worker?.role),
      content: [
        h('span', { class: 'worker-name', attrs: { title: id } }, worker ? workerName(worker) : id),
        worker ? h('span', { class: 'live-note' }, roleName(worker.role)) : null,
        seen,
      ],
    };
  }
  const last = holding.holder !== null ? (worker ? workerName(worker) : holding.holder) : null;
  return {
    sig: sig(holding.state, last),
    content: [
      h('span', { class: holding.state === 'held' ? 'worker-state' : 'worker-state dropped-some' }, holdingName(holding.state)),
      last !== null ? h('span', { class: 'live-note' }, t('worker_last_held', { worker: last })) : holding.state === 'unassigned' ? h('span', { class: 'live-note' }, t('worker_unassigned_note')) : null,
    ],
  };
}

/** The columns after the camera's name (the row header), in order. */
export const COLUMNS: readonly Column[] = [
  { key: 'status', label: 'status', cell: statusCell },
  { key: 'worker', label: 'col_worker', hint: 'col_worker_hint', cell: workerCell },
  { key: 'fps', label: 'col_fps', cell: fpsCell },
  { key: 'dropped', label: 'col_dropped', hint: 'col_dropped_hint', cell: droppedCell },
  { key: 'queue', label: 'col_queue', hint: 'col_queue_hint', cell: countCell((l) => l.queue_depth) },
  { key: 'reconnects', label: 'col_reconnects', cell: countCell((l) => l.reconnects) },
  { key: 'last-frame', label: 'col_last_frame', cell: lastFrameCell },
  { key: 'last-error', label: 'col_last_error', cell: lastErrorCell },
  { key: 'frigate', label: 'col_frigate', hint: 'col_frigate_hint', cell: frigateCell },
  { key: 'events', label: 'col_events', cell: eventsCell },
];

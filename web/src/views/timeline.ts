/**
 * The review timeline: one lane per camera across the searched range (or, without one, the span
 * of the events), a marker per event placed by time, coloured by type, wide as the event lasts.
 * Markers that would overlap stack in rows, so every event stays clickable.
 */
import type { Timeline, TimelineEvent } from '../api-types.ts';
import { h } from '../dom.ts';
import { formatClock, timeText } from '../format.ts';
import { t, typeName } from '../i18n.ts';

export interface TimelineProps {
  timeline: Timeline;
  /** Summary text per event id, for the markers' accessible names (events beyond the result page have none). */
  describe: (id: string) => string | undefined;
  cameraZone: (camera: string) => string | undefined;
  onOpen: (id: string) => void;
}

const ROW_HEIGHT_PX = 26;
const MAX_ROWS = 6;
/** Packing assumes a marker is at least this wide (percent of the lane). */
const MIN_MARKER_PERCENT = 2;

/** A class name that cannot carry anything surprising from the data. */
export function typeClass(type: string): string {
  return /^[a-z_]+$/.test(type) ? `type-${type}` : 'type-other';
}

interface Range {
  from: number;
  to: number;
}

export function timelineRange(timeline: Timeline): Range | null {
  const events = timeline.lanes.flatMap((lane) => lane.events);
  let from = timeline.from ? Date.parse(timeline.from) : Number.NaN;
  let to = timeline.to ? Date.parse(timeline.to) : Number.NaN;
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
    if (events.length === 0) return null;
    from = Math.min(...events.map((e) => Date.parse(e.start)));
    to = Math.max(...events.map((e) => Date.parse(e.end)));
    // Some air on both sides; a single instant gets a minute around it.
    const pad = Math.max((to - from) * 0.05, to === from ? 30_000 : 1_000);
    from -= pad;
    to += pad;
  }
  return { from, to };
}

interface Placed {
  event: TimelineEvent;
  left: number;
  width: number;
  row: number;
}

/** Greedy interval packing: each marker goes in the first row where it does not overlap. */
export function placeMarkers(events: readonly TimelineEvent[], range: Range): Placed[] {
  const span = range.to - range.from;
  const clamp = (p: number) => Math.min(100, Math.max(0, p));
  const rowEnds: number[] = [];
  return [...events]
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
    .map((event) => {
      const left = clamp(((Date.parse(event.start) - range.from) / span) * 100);
      const right = clamp(((Date.parse(event.end) - range.from) / span) * 100);
      const width = Math.max(right - left, 0);
      const end = left + Math.max(width, MIN_MARKER_PERCENT);
      let row = rowEnds.findIndex((rowEnd) => rowEnd <= left);
      if (row < 0) {
        row = rowEnds.length < MAX_ROWS ? rowEnds.length : rowEnds.indexOf(Math.min(...rowEnds));
      }
      rowEnds[row] = end;
      return { event, left, width, row };
    });
}

function ticks(range: Range): HTMLElement {
  const withDate = range.to - range.from > 20 * 3600_000;
  const count = 5;
  return h(
    'div',
    { class: 'tl-axis', attrs: { 'aria-hidden': 'true' } },
    ...Array.from({ length: count }, (_, i) => {
      const ratio = i / (count - 1);
      return h('span', { class: 'tl-tick', style: { left: `${ratio * 100}%` } }, formatClock(range.from + ratio * (range.to - range.from), withDate));
    }),
  );
}

export function renderTimeline(props: TimelineProps): HTMLElement {
  const { timeline } = props;
  const range = timelineRange(timeline);
  const section = h('section', { class: 'timeline', attrs: { 'aria-labelledby': 'timeline-title' } }, h('h2', { attrs: { id: 'timeline-title' } }, t('timeline')));
  if (!range || timeline.lanes.length === 0) {
    section.append(h('p', { class: 'muted' }, t('timeline_empty')));
    return section;
  }
  const types = new Set<string>();
  const lanes = h('ul', { class: 'tl-lanes' });
  for (const lane of timeline.lanes) {
    const placed = placeMarkers(lane.events, range);
    const rows = Math.max(1, ...placed.map((p) => p.row + 1));
    const zone = props.cameraZone(lane.camera);
    const track = h('div', { class: 'tl-track', style: { height: `${rows * ROW_HEIGHT_PX + 6}px` } });
    for (const { event, left, width, row } of placed) {
      types.add(event.type);
      const when = timeText(event.start, zone);
      const summary = props.describe(event.id);
      const label = [typeName(event.type), when.local, lane.camera_name ?? lane.camera, summary].filter(Boolean).join(' — ');
      track.append(
        h('button', {
          class: `tl-marker ${typeClass(event.type)}`,
          attrs: { type: 'button', 'aria-label': label, title: label, 'data-event-id': event.id },
          style: { left: `${left}%`, width: `${width}%`, top: `${row * ROW_HEIGHT_PX + 3}px` },
          on: { click: () => props.onOpen(event.id) },
        }),
      );
    }
    lanes.append(h('li', { class: 'tl-lane' }, h('span', { class: 'tl-lane-name' }, lane.camera_name ?? lane.camera), track));
  }
  const legend = h(
    'ul',
    { class: 'tl-legend', attrs: { 'aria-label': t('legend') } },
    ...[...types].map((type) => h('li', null, h('span', { class: `tl-swatch ${typeClass(type)}`, attrs: { 'aria-hidden': 'true' } }), typeName(type))),
  );
  section.append(ticks(range), lanes, legend);
  return section;
}

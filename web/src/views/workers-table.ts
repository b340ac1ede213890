/**
 * The workers under the cameras table: each Vigil process sharing the storage with its role, the
 * cameras it holds, when it last reported, and its frames per second and drops summed over its
 * cameras. Rows are kept per worker and their cells rebuilt only when what they show changed, as
 * in the cameras table (whose styles, phone cards included, it shares: styles.css). Host names and ids come
 * from other machines: text only.
 */
import type { WorkerInfo, WorkersResponse } from '../api-types.ts';
import { h, mount, type Child } from '../dom.ts';
import { formatCount, formatRate } from '../format.ts';
import { roleName, t } from '../i18n.ts';
import { workerName, type Ticker } from './camera-cells.ts';
import { placeRows, statusRow, statusTable, updateWhenChanged, type StatusColumn, type StatusRow } from './status-table.ts';

interface WorkerColumn extends StatusColumn {
  /** What the cell shows and its signature (equal signatures, equal content). */
  cell(worker: WorkerInfo, names: (cameraId: string) => string, ticker: Ticker, age: (workerId: string) => string): { sig: string; content: Child[] };
}

const sig = (...parts: unknown[]) => JSON.stringify(parts);

const COLUMNS: readonly WorkerColumn[] = [
  {
    key: 'role',
    label: 'workers_col_role',
    cell: (w) => ({
      sig: sig(w.role, w.runs_cameras),
      content: [h('span', null, roleName(w.role)), w.runs_cameras ? null : h('span', { class: 'live-note' }, t('workers_takes_none'))],
    }),
  },
  {
    key: 'cameras',
    label: 'workers_col_cameras',
    cell: (w, names) => {
      const held = w.cameras.map((c) => names(c.camera));
      return {
        sig: sig(held),
        content: held.length
          ? [h('span', { class: 'count' }, formatCount(held.length)), h('span', { class: 'live-note worker-cameras' }, held.join(', '))]
          : [h('span', { class: 'muted' }, t('workers_holds_none'))],
      };
    },
  },
  {
    key: 'heartbeat',
    label: 'workers_col_heartbeat',
    cell: (w, _names, ticker, age) => {
      const text = h('span', { class: 'rel-time' }, age(w.id));
      ticker.add(text, () => age(w.id));
      // Only the worker: the ticker keeps the text current between reads.
      return { sig: sig(w.id), content: [text] };
    },
  },
  {
    key: 'fps',
    label: 'col_fps',
    cell: (w) => {
      const fps = w.cameras.reduce((n, c) => n + c.processed_fps, 0);
      const processed = w.cameras.reduce((n, c) => n + c.frames_processed, 0);
      return {
        sig: sig(formatRate(fps), processed),
        content: [h('span', { class: 'count' }, formatRate(fps)), h('span', { class: 'live-note' }, t('workers_frames', { n: formatCount(processed) }))],
      };
    },
  },
  {
    key: 'dropped',
    label: 'col_dropped',
    cell: (w) => {
      const dropped = w.cameras.reduce((n, c) => n + c.frames_dropped, 0);
      return { sig: sig(dropped), content: [h('span', { class: dropped > 0 ? 'count dropped-some' : 'count' }, formatCount(dropped))] };
    },
  },
];


export interface WorkersTable {
  element: HTMLElement;
  render(workers: WorkersResponse, names: (cameraId: string) => string): void;
}

/** `age` gives "3 s ago" for a worker id (when it last reported), current whenever it is called. */
export function createWorkersTable(ticker: Ticker, age: (workerId: string) => string): WorkersTable {
  const rows = new Map<string, StatusRow>();
  const { table, body } = statusTable({ className: 'workers-table', prefix: 'worker', caption: 'workers_caption', firstHeader: 'workers_col_worker', columns: COLUMNS });
  const lease = h('p', { class: 'muted workers-lease' });
  const empty = h('p', { class: 'muted workers-none' }, t('workers_none'));
  const wrap = h('div', { class: 'camera-table-wrap' }, table);
  const element = h(
    'section',
    { class: 'workers-section', attrs: { 'aria-labelledby': 'workers-title' } },
    h('h2', { attrs: { id: 'workers-title' } }, t('workers_title')),
    lease,
    empty,
    wrap,
  );

  function render(workers: WorkersResponse, names: (cameraId: string) => string): void {
    lease.textContent = t('workers_lease', { third: formatCount(Math.round((workers.lease_seconds / 3) * 10) / 10), n: formatCount(workers.lease_seconds) });
    empty.hidden = workers.workers.length > 0;
    wrap.hidden = workers.workers.length === 0;
    const wanted = workers.workers.map((worker) => {
      const row = rows.get(worker.id) ?? statusRow('worker', COLUMNS);
      rows.set(worker.id, row);
      row.row.dataset.workerId = worker.id;
      updateWhenChanged(row.name, sig(worker.id, worker.host, worker.pid), () =>
        mount(row.name, h('span', { class: 'worker-title' }, workerName(worker)), h('span', { class: 'worker-id' }, worker.id)),
      );
      COLUMNS.forEach((col, i) => {
        const { sig: signature, content } = col.cell(worker, names, ticker, age);
        const { value } = row.cells[i]!;
        updateWhenChanged(value, signature, () => mount(value, ...content));
      });
      return row.row;
    });
    for (const id of [...rows.keys()]) if (!workers.workers.some((w) => w.id === id)) rows.delete(id);
    placeRows(body, wanted);
  }

  return { element, render };
}

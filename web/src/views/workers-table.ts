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
import { roleName, t, type Key } from '../i18n.ts';
import { workerName, type Ticker } from './camera-cells.ts';

interface WorkerColumn {
  key: string;
  label: Key;
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

interface Row {
  row: HTMLTableRowElement;
  name: HTMLTableCellElement;
  values: HTMLElement[];
}

export interface WorkersTable {
  element: HTMLElement;
  render(workers: WorkersResponse, names: (cameraId: string) => string): void;
}

/** `age` gives "3 s ago" for a worker id (when it last reported), current whenever it is called. */
export function createWorkersTable(ticker: Ticker, age: (workerId: string) => string): WorkersTable {
  const shown = new WeakMap<Element, string>();
  const update = (el: HTMLElement, signature: string, content: () => void) => {
    if (shown.get(el) === signature) return;
    shown.set(el, signature);
    content();
  };
  const rows = new Map<string, Row>();
  const body = h('tbody', { attrs: { role: 'rowgroup' } });
  const head = h(
    'thead',
    { attrs: { role: 'rowgroup' } },
    h(
      'tr',
      { attrs: { role: 'row' } },
      h('th', { attrs: { scope: 'col', role: 'columnheader' } }, t('workers_col_worker')),
      ...COLUMNS.map((col) => h('th', { class: `worker-col-${col.key}`, attrs: { scope: 'col', role: 'columnheader' } }, t(col.label))),
    ),
  );
  const table = h('table', { class: 'workers-table', attrs: { role: 'table' } }, h('caption', { class: 'visually-hidden' }, t('workers_caption')), head, body);
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

  function newRow(): Row {
    const name = h('th', { class: 'worker-cell-name', attrs: { scope: 'row', role: 'rowheader' } });
    const cells = COLUMNS.map((col) => {
      const value = h('div', { class: 'cell-value' });
      const label = h('span', { class: 'cell-label', attrs: { 'aria-hidden': 'true' } }, t(col.label));
      return { cell: h('td', { class: `worker-cell-${col.key}`, attrs: { role: 'cell' } }, label, value), value };
    });
    return { row: h('tr', { class: 'worker-row', attrs: { role: 'row' } }, name, ...cells.map((c) => c.cell)), name, values: cells.map((c) => c.value) };
  }

  function render(workers: WorkersResponse, names: (cameraId: string) => string): void {
    lease.textContent = t('workers_lease', { third: formatCount(Math.round((workers.lease_seconds / 3) * 10) / 10), n: formatCount(workers.lease_seconds) });
    empty.hidden = workers.workers.length > 0;
    wrap.hidden = workers.workers.length === 0;
    const wanted = workers.workers.map((worker) => {
      const row = rows.get(worker.id) ?? newRow();
      rows.set(worker.id, row);
      row.row.dataset.workerId = worker.id;
      update(row.name, sig(worker.id, worker.host, worker.pid), () =>
        mount(row.name, h('span', { class: 'worker-title' }, workerName(worker)), h('span', { class: 'worker-id' }, worker.id)),
      );
      COLUMNS.forEach((col, i) => {
        const { sig: signature, content } = col.cell(worker, names, ticker, age);
        update(row.values[i]!, signature, () => mount(row.values[i]!, ...content));
      });
      return row.row;
    });
    for (const id of [...rows.keys()]) if (!workers.workers.some((w) => w.id === id)) rows.delete(id);
    // Reordered only when the order changed: moving a row would take the focus out of it.
    const current = [...body.children];
    if (current.length !== wanted.length || wanted.some((row, i) => current[i] !== row)) body.replaceChildren(...wanted);
  }

  return { element, render };
}

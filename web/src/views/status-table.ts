/**
 * The pieces the cameras table and the workers table share: a table with explicit roles (the
 * phone layout turns rows into cards, styles.css), rows built once per key with a label in each
 * cell for that layout, cells rebuilt only when what they show changed, and rows reordered only
 * when their order did (moving a row would take the focus out of it).
 */
import { h } from '../dom.ts';
import { t, type Key } from '../i18n.ts';

export interface StatusColumn {
  key: string;
  label: Key;
  hint?: Key;
}

/** Rebuilds an element only when its signature (what it shows) changed. */
const shown = new WeakMap<Element, string>();
export function updateWhenChanged(el: HTMLElement, signature: string, content: () => void): void {
  if (shown.get(el) === signature) return;
  shown.set(el, signature);
  content();
}

/** `className` is the table's class; `prefix` names its columns' and cells' classes: `<prefix>-col-<key>`, `<prefix>-row`, `<prefix>-cell-<key>`. */
export function statusTable(options: { className: string; prefix: string; caption: Key; firstHeader: Key; columns: readonly StatusColumn[] }): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const { prefix, columns } = options;
  // Explicit roles: the phone layout turns rows into cards (display: block), which drops the
  // table semantics in some browsers unless they are stated.
  const body = h('tbody', { attrs: { role: 'rowgroup' } });
  const head = h(
    'thead',
    { attrs: { role: 'rowgroup' } },
    h(
      'tr',
      { attrs: { role: 'row' } },
      h('th', { attrs: { scope: 'col', role: 'columnheader' } }, t(options.firstHeader)),
      ...columns.map((col) => h('th', { class: `${prefix}-col-${col.key}`, attrs: { scope: 'col', role: 'columnheader', title: col.hint ? t(col.hint) : undefined } }, t(col.label))),
    ),
  );
  const table = h('table', { class: options.className, attrs: { role: 'table' } }, h('caption', { class: 'visually-hidden' }, t(options.caption)), head, body);
  return { table, body };
}

export interface StatusRow {
  row: HTMLTableRowElement;
  name: HTMLTableCellElement;
  cells: Array<{ cell: HTMLTableCellElement; value: HTMLElement }>;
}

export function statusRow(prefix: string, columns: readonly StatusColumn[]): StatusRow {
  const name = h('th', { class: `${prefix}-cell-name`, attrs: { scope: 'row', role: 'rowheader' } });
  const cells = columns.map((col) => {
    const value = h('div', { class: 'cell-value' });
    // The column's name for the phone layout, where the header row is not shown; screen readers
    // get it from the header already.
    const label = h('span', { class: 'cell-label', attrs: { 'aria-hidden': 'true' } }, t(col.label));
    return { cell: h('td', { class: `${prefix}-cell-${col.key}`, attrs: { role: 'cell' } }, label, value), value };
  });
  return { row: h('tr', { class: `${prefix}-row`, attrs: { role: 'row' } }, name, ...cells.map((c) => c.cell)), name, cells };
}

/** Puts `wanted` in the body in that order, touching it only when the order changed. */
export function placeRows(body: HTMLTableSectionElement, wanted: readonly HTMLTableRowElement[]): void {
  const current = [...body.children];
  if (current.length !== wanted.length || wanted.some((row, i) => current[i] !== row)) body.replaceChildren(...wanted);
}

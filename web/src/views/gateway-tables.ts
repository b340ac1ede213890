/**
 * The two tables of the gateway page: its keys (with their limits in short form) and the usage
 * per key and model. Key names are restricted by the server, but model names are whatever a
 * client asked for: like every other value here they only ever become text nodes.
 */
import type { GatewayKeyInfo, GatewayUsageTotal } from '../api-types.ts';
import { h, type Child } from '../dom.ts';
import { formatCount, formatTime } from '../format.ts';
import { locale, priorityName, t, type Key } from '../i18n.ts';

/** `{placeholder}`s of a UI string filled with <code> (a setting, a command), the rest as text. */
export function textWithCode(template: string, code: Record<string, string>): Child[] {
  return template.split(/(\{\w+\})/).map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    return name !== undefined && name in code ? h('code', null, code[name]) : part;
  });
}

/**
 * Token counts as people write them: 32768 is "32k", 1048576 "1M"; a count that is not a round
 * number of thousands stays exact (the exact figure is in the cell's title either way).
 */
export function shortCount(n: number): string {
  for (const [unit, suffix] of [[1_048_576, 'M'], [1_000_000, 'M'], [1024, 'k'], [1000, 'k']] as const) {
    if (n >= unit && n % unit === 0) return `${formatCount(n / unit)}${suffix}`;
  }
  return formatCount(n);
}

/** "60/min · 2 at once · 32k ctx · 8k out · interactive": only the limits a key has. */
export function limitsText(limits: GatewayKeyInfo['limits']): string {
  const parts = [
    limits.models !== null ? t('gw_limit_models', { list: limits.models.join(', ') }) : null,
    limits.requests_per_minute !== null ? t('gw_limit_rpm', { n: formatCount(limits.requests_per_minute) }) : null,
    limits.concurrent_requests !== null ? t('gw_limit_concurrent', { n: formatCount(limits.concurrent_requests) }) : null,
    limits.tokens_per_day !== null ? t('gw_limit_tokens_day', { n: shortCount(limits.tokens_per_day) }) : null,
    limits.max_context_tokens !== null ? t('gw_limit_context', { n: shortCount(limits.max_context_tokens) }) : null,
    limits.max_output_tokens !== null ? t('gw_limit_output', { n: shortCount(limits.max_output_tokens) }) : null,
    priorityName(limits.priority),
  ];
  return parts.filter((p) => p !== null).join(' · ');
}

/** The same limits with every number exact, for the tooltip. */
function limitsExact(limits: GatewayKeyInfo['limits']): string {
  const exact = (n: number | null) => (n === null ? null : formatCount(n));
  return [
    limits.tokens_per_day !== null ? t('gw_limit_tokens_day', { n: exact(limits.tokens_per_day)! }) : null,
    limits.max_context_tokens !== null ? t('gw_limit_context', { n: exact(limits.max_context_tokens)! }) : null,
    limits.max_output_tokens !== null ? t('gw_limit_output', { n: exact(limits.max_output_tokens)! }) : null,
  ]
    .filter((p) => p !== null)
    .join(' · ');
}

/** "850 ms" below a second, "2.4 s" above. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return t('gw_ms', { n: formatCount(Math.round(ms)) });
  return t('gw_s', { n: new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 1000) });
}

interface Column<T> {
  key: string;
  label: Key;
  hint?: Key;
  numeric?: boolean;
  cell(row: T): Child[];
}

/** A header-labelled table that the phone layout turns into cards (styles.css, "Gateway"). */
function table<T>(caption: Key, columns: ReadonlyArray<Column<T>>, rows: readonly T[], rowProps: (row: T) => { class: string; attrs: Record<string, string> }, foot?: Child[]): HTMLElement {
  const head = h(
    'thead',
    { attrs: { role: 'rowgroup' } },
    h(
      'tr',
      { attrs: { role: 'row' } },
      ...columns.map((col) =>
        h('th', { class: `gw-col-${col.key}${col.numeric ? ' num' : ''}`, attrs: { scope: 'col', role: 'columnheader', title: col.hint ? t(col.hint) : undefined } }, t(col.label)),
      ),
    ),
  );
  const body = h(
    'tbody',
    { attrs: { role: 'rowgroup' } },
    ...rows.map((row) => {
      const props = rowProps(row);
      return h(
        'tr',
        { class: props.class, attrs: { role: 'row', ...props.attrs } },
        ...columns.map((col, i) => {
          // The first column names the row; the others carry their column's name for the phone layout.
          if (i === 0) return h('th', { class: `gw-cell-${col.key}`, attrs: { scope: 'row', role: 'rowheader' } }, ...col.cell(row));
          return h(
            'td',
            { class: `gw-cell-${col.key}${col.numeric ? ' num' : ''}`, attrs: { role: 'cell' } },
            h('span', { class: 'cell-label', attrs: { 'aria-hidden': 'true' } }, t(col.label)),
            h('span', { class: 'gw-value' }, ...col.cell(row)),
          );
        }),
      );
    }),
  );
  const footer = foot ? h('tfoot', { attrs: { role: 'rowgroup' } }, h('tr', { class: 'gw-total-row', attrs: { role: 'row' } }, ...foot)) : null;
  return h(
    'div',
    { class: 'gw-table-wrap' },
    h('table', { class: 'gw-table', attrs: { role: 'table' } }, h('caption', { class: 'visually-hidden' }, t(caption)), head, body, footer),
  );
}

function time(iso: string | null, none: Child[]): Child[] {
  return iso ? [h('time', { attrs: { datetime: iso } }, formatTime(iso))] : none;
}

const KEY_COLUMNS: ReadonlyArray<Column<GatewayKeyInfo>> = [
  { key: 'name', label: 'gw_col_name', cell: (k) => [h('span', { class: 'gw-key-name' }, k.name)] },
  // The prefix alone, followed by an ellipsis that says the rest is not shown.
  { key: 'prefix', label: 'gw_col_prefix', hint: 'gw_prefix_hint', cell: (k) => [h('code', { class: 'gw-prefix', attrs: { title: t('gw_prefix_hint') } }, `${k.prefix}…`)] },
  { key: 'created', label: 'gw_col_created', cell: (k) => time(k.created_at, []) },
  { key: 'last-used', label: 'gw_col_last_used', cell: (k) => time(k.last_used_at, [h('span', { class: 'muted' }, t('gw_never'))]) },
  {
    key: 'revoked',
    label: 'gw_col_revoked',
    cell: (k) => (k.revoked_at ? [h('span', { class: 'gw-revoked-badge' }, t('gw_revoked')), ...time(k.revoked_at, [])] : [h('span', { class: 'muted' }, t('gw_not_revoked'))]),
  },
  { key: 'running', label: 'gw_col_running', numeric: true, cell: (k) => [h('span', { class: k.active > 0 ? 'count gw-busy' : 'count' }, formatCount(k.active))] },
  { key: 'limits', label: 'gw_col_limits', cell: (k) => [h('span', { class: 'gw-limits', attrs: { title: limitsExact(k.limits) || undefined } }, limitsText(k.limits))] },
];

export function keysTable(keys: readonly GatewayKeyInfo[]): HTMLElement {
  return table('gw_keys_caption', KEY_COLUMNS, keys, (k) => ({
    class: k.revoked_at ? 'gw-key-row gw-key-revoked' : 'gw-key-row',
    attrs: { 'data-key': k.name },
  }));
}

const count = (n: number, cls = 'count') => [h('span', { class: cls }, formatCount(n))];

const USAGE_COLUMNS: ReadonlyArray<Column<GatewayUsageTotal>> = [
  { key: 'key', label: 'gw_col_key', cell: (u) => [h('span', { class: 'gw-key-name' }, u.key)] },
  { key: 'model', label: 'gw_col_model', cell: (u) => [h('span', { class: 'gw-model' }, u.model)] },
  { key: 'requests', label: 'gw_col_requests', numeric: true, cell: (u) => count(u.requests) },
  { key: 'failures', label: 'gw_col_failures', hint: 'gw_failures_hint', numeric: true, cell: (u) => count(u.failures, u.failures > 0 ? 'count gw-failed' : 'count') },
  { key: 'tokens-in', label: 'gw_col_tokens_in', numeric: true, cell: (u) => count(u.input_tokens) },
  { key: 'tokens-out', label: 'gw_col_tokens_out', numeric: true, cell: (u) => count(u.output_tokens) },
  { key: 'wait', label: 'gw_col_wait', hint: 'gw_wait_hint', numeric: true, cell: (u) => [h('span', { class: 'count' }, formatDuration(u.mean_queue_wait_ms))] },
  { key: 'latency', label: 'gw_col_latency', numeric: true, cell: (u) => [h('span', { class: 'count' }, formatDuration(u.mean_latency_ms))] },
];

/** Sums of the counts; means are left out of it, since rounded means do not add up. */
function totalRow(totals: readonly GatewayUsageTotal[]): Child[] {
  const sum = (pick: (u: GatewayUsageTotal) => number) => formatCount(totals.reduce((n, u) => n + pick(u), 0));
  const cell = (key: string, label: Key, text: string) =>
    h('td', { class: `gw-cell-${key} num`, attrs: { role: 'cell' } }, h('span', { class: 'cell-label', attrs: { 'aria-hidden': 'true' } }, t(label)), h('span', { class: 'gw-value count' }, text));
  return [
    h('th', { attrs: { scope: 'row', role: 'rowheader' } }, t('gw_total')),
    h('td', { class: 'gw-cell-model cell-empty', attrs: { role: 'cell' } }),
    cell('requests', 'gw_col_requests', sum((u) => u.requests)),
    cell('failures', 'gw_col_failures', sum((u) => u.failures)),
    cell('tokens-in', 'gw_col_tokens_in', sum((u) => u.input_tokens)),
    cell('tokens-out', 'gw_col_tokens_out', sum((u) => u.output_tokens)),
    h('td', { class: 'cell-empty', attrs: { role: 'cell' } }),
    h('td', { class: 'cell-empty', attrs: { role: 'cell' } }),
  ];
}

export function usageTable(totals: readonly GatewayUsageTotal[]): HTMLElement {
  return table('gw_usage_caption', USAGE_COLUMNS, totals, (u) => ({ class: 'gw-usage-row', attrs: { 'data-key': u.key, 'data-model': u.model } }), totals.length > 1 ? totalRow(totals) : undefined);
}

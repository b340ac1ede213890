/**
 * `#/gateway`: the model gateway's API keys (prefix, when made and last used, revoked, requests
 * running now, limits) and their usage per key and model over the last 1, 7 or 30 UTC days,
 * from `GET /api/gateway/usage`. Days and key filter live in the address, so a view can be
 * bookmarked. It reads again every few seconds while the tab is visible (requests running now
 * change), and rebuilds the tables only when the figures changed.
 */
import { ApiError } from '../api.ts';
import type { GatewayUsage } from '../api-types.ts';
import { h, mount } from '../dom.ts';
import { t } from '../i18n.ts';
import { gatewayHash, navigate } from '../router.ts';
import { errorView, type AppContext } from './common.ts';
import { keysTable, textWithCode, usageTable } from './gateway-tables.ts';
import { renderRefreshingPage } from './refreshing-page.ts';

export const GATEWAY_DAYS = [1, 7, 30] as const;
const DEFAULT_DAYS = 7;
export const REFRESH_MS = 10_000;

/** What the address asks for; days other than the offered ones fall back to the default. */
export function gatewayParams(params: URLSearchParams): { days: number; key: string | undefined } {
  const days = Number(params.get('days'));
  return { days: (GATEWAY_DAYS as readonly number[]).includes(days) ? days : DEFAULT_DAYS, key: params.get('key') || undefined };
}

function statusLine(enabled: boolean): HTMLElement {
  return h(
    'div',
    { class: `gw-status ${enabled ? 'gw-enabled' : 'gw-disabled'}`, attrs: { 'data-enabled': String(enabled) } },
    h('span', { class: 'gw-status-badge' }, h('span', { attrs: { 'aria-hidden': 'true' } }, enabled ? '●' : '○'), enabled ? t('gw_on') : t('gw_off')),
    h('p', { class: 'gw-status-text' }, ...(enabled ? [t('gw_on_text')] : textWithCode(t('gw_off_text'), { setting: 'gateway.enabled: true', command: 'vigil serve' }))),
  );
}

function spanText(usage: GatewayUsage): string {
  return usage.from_day === usage.to_day ? t('gw_span_one', { day: usage.to_day }) : t('gw_span', { from: usage.from_day, to: usage.to_day });
}

export function renderGatewayView(root: HTMLElement, ctx: AppContext, params: URLSearchParams, signal: AbortSignal): void {
  document.title = `${t('gw_title')} — ${t('app_title')}`;
  const { days, key } = gatewayParams(params);
  const { body } = renderRefreshingPage(root, signal, {
    className: 'gateway',
    classPrefix: 'gw',
    titleId: 'gateway-title',
    title: t('gw_title'),
    refreshLabel: t('gw_refresh'),
    updatedText: (time) => `${t('gw_updated', { time })} · ${t('gw_auto', { n: REFRESH_MS / 1000 })}`,
    staleText: (message, time) => t('gw_stale', { message, time }),
    refreshMs: REFRESH_MS,
    read: (readSignal) => ctx.api.gatewayUsage({ days, key }, readSignal),
    show: render,
    // A key filter from an old address, of a key that does not exist here: nothing to retry.
    finalError: (error) =>
      key !== undefined && error instanceof ApiError && error.code === 'not_found'
        ? [errorView(error), h('a', { class: 'gw-all-keys-link', attrs: { href: gatewayHash({ days }) } }, t('gw_show_all_keys'))]
        : undefined,
  });

  const daysGroup = h(
    'div',
    { class: 'gw-days', attrs: { role: 'group', 'aria-label': t('gw_days') } },
    ...GATEWAY_DAYS.map((n) =>
      h(
        'button',
        {
          class: 'gw-days-button',
          attrs: { type: 'button', 'aria-pressed': String(n === days), 'data-days': n },
          on: { click: () => n !== days && navigate(gatewayHash({ days: n, key })) },
        },
        n === 1 ? t('gw_days_one') : t('gw_days_n', { n }),
      ),
    ),
  );
  const keySelect = h('select', { attrs: { name: 'key' }, on: { change: () => navigate(gatewayHash({ days, key: keySelect.value || undefined })) } });
  const controls = h(
    'div',
    { class: 'gw-controls' },
    h('div', { class: 'field' }, h('span', { class: 'field-label', attrs: { 'aria-hidden': 'true' } }, t('gw_days')), daysGroup),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('gw_key_filter')), keySelect),
  );

  let shownSig: string | null = null;
  let keyNamesSig: string | null = null;

  /** The key list of the filter, rebuilt only when the names change (an open list must stay open). */
  function fillKeySelect(names: readonly string[]): void {
    const sig = JSON.stringify(names);
    if (sig === keyNamesSig) return;
    keyNamesSig = sig;
    mount(
      keySelect,
      h('option', { attrs: { value: '', selected: key === undefined } }, t('gw_all_keys')),
      ...names.map((name) => h('option', { attrs: { value: name, selected: name === key } }, name)),
    );
  }

  // The parts a refresh rewrites; the controls stay where they are, so a refresh never takes the focus from them.
  const statusSlot = h('div');
  const keysSlot = h('div');
  const span = h('p', { class: 'muted gw-span' });
  const usageSlot = h('div');
  const usageSection = h(
    'section',
    { class: 'gw-section gw-usage', attrs: { 'aria-labelledby': 'gw-usage-title' } },
    h('h2', { attrs: { id: 'gw-usage-title' } }, t('gw_usage')),
    controls,
    span,
    usageSlot,
  );

  function render(usage: GatewayUsage): void {
    const sig = JSON.stringify(usage);
    if (sig === shownSig) return;
    if (shownSig === null) {
      mount(
        body,
        statusSlot,
        h('section', { class: 'gw-section gw-keys', attrs: { 'aria-labelledby': 'gw-keys-title' } }, h('h2', { attrs: { id: 'gw-keys-title' } }, t('gw_keys')), keysSlot),
        usageSection,
      );
    }
    shownSig = sig;
    fillKeySelect(usage.keys.map((k) => k.name));
    mount(statusSlot, statusLine(usage.enabled));
    mount(keysSlot, usage.keys.length === 0 ? h('p', { class: 'gw-empty' }, ...textWithCode(t('gw_no_keys'), { command: 'vigil keys create NAME' })) : keysTable(usage.keys));
    // Without a key there is no usage to filter: the hint above is all there is to say.
    usageSection.hidden = usage.keys.length === 0 && usage.totals.length === 0;
    span.textContent = spanText(usage);
    mount(
      usageSlot,
      usage.totals.length === 0 ? h('p', { class: 'muted gw-no-usage' }, key ? t('gw_no_usage_key', { key }) : t('gw_no_usage')) : usageTable(usage.totals),
    );
  }
}

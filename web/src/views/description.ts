/**
 * The event's description by a vision model: its state (queued, running, failed with the error…),
 * what the model saw (scene, summary in the UI language, actions, people and vehicles, suspicion,
 * what it was unsure of), its invalid output as plain text behind a warning, and a button to
 * describe the event now. Everything the model wrote is untrusted text and only ever shown as text.
 */
import { ApiError } from '../api.ts';
import type { DescriptionJson, DescriptionState, StoredDescription } from '../api-types.ts';
import { h, mount, type Child } from '../dom.ts';
import { formatTime } from '../format.ts';
import { descriptionStatusName, pickSummary, requesterName, t, type Key } from '../i18n.ts';
import { errorMessage, type AppContext } from './common.ts';

/** How often a queued or running description is looked at again. */
const POLL_MS = 5_000;

function statusClass(status: string): string {
  return /^[a-z_]+$/.test(status) ? `desc-status-${status}` : 'desc-status-other';
}

function level(score: number): Key {
  return score >= 67 ? 'desc_level.high' : score >= 34 ? 'desc_level.medium' : 'desc_level.low';
}

function list(items: readonly string[], className: string): HTMLElement {
  return h('ul', { class: className }, ...items.map((item) => h('li', null, item)));
}

function fact(term: string, className: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', null, term), h('dd', { class: className }, ...value)];
}

function person(p: DescriptionJson['attributes']['people'][number]): string {
  const parts: string[] = [];
  if (p.clothing) parts.push(`${t('desc_clothing')}: ${p.clothing}`);
  if (p.clothing_colors.length) parts.push(`${t('desc_colors')}: ${p.clothing_colors.join(', ')}`);
  if (p.carrying.length) parts.push(`${t('desc_carrying')}: ${p.carrying.join(', ')}`);
  const who = p.id ? t('desc_person', { id: p.id }) : t('desc_person_unknown');
  return parts.length ? `${who} — ${parts.join('; ')}` : who;
}

function vehicle(v: DescriptionJson['attributes']['vehicles'][number]): string {
  const parts = [v.type, v.color].filter((x): x is string => Boolean(x));
  const what = v.id ? t('desc_vehicle', { id: v.id }) : t('desc_vehicle_unknown');
  return parts.length ? `${what} — ${parts.join(', ')}` : what;
}

function content(json: DescriptionJson): HTMLElement[] {
  const summary = pickSummary(json.summaries);
  const lead = summary ?? (json.scene ? { text: json.scene, lang: null } : null);
  const { people, vehicles } = json.attributes;
  const score = json.suspicion ? Math.min(100, Math.max(0, Math.round(json.suspicion.score))) : null;
  const facts = [
    ...(json.scene && summary ? fact(t('desc_scene'), 'desc-scene', json.scene) : []),
    ...(json.actions.length ? fact(t('desc_actions'), 'desc-actions', list(json.actions, 'desc-list')) : []),
    ...(people.length ? fact(t('desc_people'), 'desc-people', list(people.map(person), 'desc-list')) : []),
    ...(vehicles.length ? fact(t('desc_vehicles'), 'desc-vehicles', list(vehicles.map(vehicle), 'desc-list')) : []),
    ...(score !== null && json.suspicion
      ? fact(
          t('desc_suspicion'),
          'desc-suspicion',
          h(
            'span',
            { class: 'suspicion-score' },
            h('meter', { attrs: { min: 0, max: 100, low: 34, high: 67, optimum: 0, value: score, 'aria-label': t('desc_suspicion') } }),
            h('span', { class: 'suspicion-value' }, t('desc_score', { score })),
            h('span', { class: 'suspicion-level' }, t(level(score))),
          ),
          json.suspicion.reasons.length ? list(json.suspicion.reasons, 'desc-list desc-reasons') : h('p', { class: 'muted' }, t('desc_no_reasons')),
        )
      : []),
    ...(json.uncertain.length ? fact(t('desc_uncertain'), 'desc-uncertain', list(json.uncertain, 'desc-list')) : []),
  ];
  return [
    ...(lead ? [h('p', { class: 'desc-summary', attrs: { lang: lead.lang } }, lead.text)] : []),
    ...(facts.length ? [h('dl', { class: 'desc-facts' }, ...facts)] : []),
  ];
}

function stored(d: StoredDescription): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (d.flagged) {
    out.push(
      h(
        'div',
        { class: 'desc-flagged', attrs: { role: 'note' } },
        h('p', { class: 'desc-warning' }, h('span', { attrs: { 'aria-hidden': 'true' } }, '⚠ '), t('desc_flagged')),
        d.raw_text ? h('pre', { class: 'desc-raw', attrs: { 'aria-label': t('desc_raw') } }, d.raw_text) : null,
      ),
    );
  }
  if (d.json) out.push(...content(d.json));
  else if (!d.flagged) out.push(h('p', { class: 'muted' }, t('desc_empty')), ...(d.raw_text ? [h('pre', { class: 'desc-raw' }, d.raw_text)] : []));
  const by = t('desc_by', { model: d.model || '?', provider: d.provider || '?', time: d.created_at ? formatTime(d.created_at) : '?' });
  out.push(h('p', { class: 'desc-meta' }, by));
  return out;
}

/** The state in a line; the job's last error unless a fresher one (from the button) is shown. */
function statusLine(state: DescriptionState, withError: boolean): HTMLElement[] {
  const notes: string[] = [];
  if (state.requested_by && state.status !== 'none') notes.push(requesterName(state.requested_by));
  if (state.attempts > 1) notes.push(t('desc_attempts', { n: state.attempts }));
  if (state.status === 'queued' && state.next_attempt_at) notes.push(t('desc_next_attempt', { time: formatTime(state.next_attempt_at) }));
  const line = h(
    'p',
    { class: 'desc-status' },
    h('span', { class: 'field-label' }, `${t('desc_status')}: `),
    h('span', { class: `desc-badge ${statusClass(state.status)}` }, descriptionStatusName(state.status)),
    notes.length ? h('span', { class: 'desc-status-notes' }, notes.join(' · ')) : null,
  );
  const showError = withError && state.last_error && (state.status === 'failed' || state.status === 'queued');
  return [line, ...(showError ? [h('p', { class: 'desc-last-error' }, t('desc_last_error', { message: state.last_error ?? '' }))] : [])];
}

function requestError(error: unknown): string {
  const text = t('desc_request_failed', { message: errorMessage(error) });
  return error instanceof ApiError && error.retryAfterSeconds ? `${text} ${t('desc_retry_after', { n: error.retryAfterSeconds })}` : text;
}

/**
 * The description section of an event page. It keeps itself current: after "Describe now", and
 * while the description is queued or running, by reading the event again (until `signal` fires).
 */
export function descriptionSection(ctx: AppContext, eventId: string, initial: DescriptionState | null, signal: AbortSignal): HTMLElement {
  const body = h('div', { class: 'desc-body' });
  const live = h('p', { class: 'visually-hidden', attrs: { role: 'status' } });
  const section = h(
    'section',
    { class: 'description', attrs: { 'aria-labelledby': 'description-title' } },
    h('h2', { attrs: { id: 'description-title' } }, t('description')),
    body,
    live,
  );
  let state = initial;
  let busy = false;
  let failure: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });

  const refresh = () => {
    ctx.api.event(eventId, signal).then(
      (event) => {
        if (signal.aborted || busy) return;
        state = event.description;
        render();
      },
      () => undefined, // the page shows the last state it had; the next look may work
    );
  };

  const schedulePoll = () => {
    clearTimeout(timer);
    if (signal.aborted || busy || !state || (state.status !== 'queued' && state.status !== 'running')) return;
    timer = setTimeout(refresh, POLL_MS);
  };

  const describe = (button: HTMLButtonElement) => {
    busy = true;
    failure = null;
    clearTimeout(timer);
    button.disabled = true;
    button.textContent = t('desc_describing');
    section.setAttribute('aria-busy', 'true');
    body.querySelector('.desc-request-error')?.remove();
    live.textContent = t('desc_describing');
    // Not tied to the page's signal: leaving the page must not cancel a description the user asked for.
    ctx.api.regenerateDescription(eventId).then(
      (next) => {
        if (signal.aborted) return;
        busy = false;
        state = next;
        render();
        live.textContent = t('desc_updated');
        body.querySelector<HTMLButtonElement>('.describe-button')?.focus();
      },
      (error: unknown) => {
        if (signal.aborted) return;
        busy = false;
        failure = requestError(error);
        render();
        live.textContent = failure;
        body.querySelector<HTMLButtonElement>('.describe-button')?.focus();
        refresh(); // the job's state (failed, queued for a retry) changed with it
      },
    );
  };

  function render(): void {
    section.removeAttribute('aria-busy');
    if (state === null) {
      mount(body, h('p', { class: 'desc-note muted' }, t('desc_no_model')));
      return;
    }
    const current = state;
    const button = h('button', {
      class: 'secondary describe-button',
      attrs: { type: 'button', disabled: current.status === 'running' },
      on: { click: () => describe(button) },
    }, t(current.description ? 'desc_describe_again' : 'desc_describe_now'));
    mount(
      body,
      ...statusLine(current, failure === null),
      ...(current.description ? stored(current.description) : current.status === 'none' ? [h('p', { class: 'muted' }, t('desc_not_described'))] : []),
      h('div', { class: 'desc-actions' }, button, failure ? h('p', { class: 'desc-request-error', attrs: { role: 'alert' } }, failure) : null),
    );
    schedulePoll();
  }

  render();
  return section;
}

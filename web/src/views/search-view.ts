/** `#/`: the question box, filters, the answer with how it was understood, the timeline and the results. */
import type { Camera, Interpretation, SearchResponse, VigilEvent } from '../api-types.ts';
import { EVENT_TYPES } from '../api-types.ts';
import { h, mount } from '../dom.ts';
import { formatRange, isoToLocalInput, localInputToIso, timeElement } from '../format.ts';
import { currentLang, EXAMPLE_QUESTIONS, labelName, localized, t, typeName } from '../i18n.ts';
import { eventHash, navigate, searchHash } from '../router.ts';
import { cameraZone, errorMessage, errorView, loadingView, type AppContext } from './common.ts';
import { renderTimeline, typeClass } from './timeline.ts';

const FILTER_KEYS = ['from', 'to', 'camera', 'type'] as const;

function option(value: string, text: string, selected: boolean): HTMLOptionElement {
  return h('option', { attrs: { value, selected } }, text);
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control);
}

function cameraName(cameras: readonly Camera[], id: string): string {
  return cameras.find((c) => c.id === id)?.name ?? id;
}

function conceptName(concept: string): string {
  if (concept === 'crossing') return typeName('line_crossing');
  return (EVENT_TYPES as readonly string[]).includes(concept) ? typeName(concept) : labelName(concept);
}

function interpretationText(i: Interpretation, cameras: readonly Camera[]): string {
  const parts = [`${t('searched')}: ${formatRange(i.from, i.to)}${i.time_text ? ` (“${i.time_text}”)` : ''}`];
  parts.push(`${t('camera')}: ${i.cameras.length ? i.cameras.map((id) => cameraName(cameras, id)).join(', ') : t('all_cameras')}`);
  if (i.types.length) parts.push(`${t('type')}: ${i.types.map(typeName).join(', ')}`);
  if (i.concepts.length) parts.push(`${t('concepts')}: ${i.concepts.map(conceptName).join(', ')}`);
  if (i.terms.length) parts.push(`${t('terms')}: ${i.terms.join(', ')}`);
  return parts.join(' · ');
}

function resultItem(ctx: AppContext, event: VigilEvent, cameras: readonly Camera[], cited: boolean): HTMLElement {
  const actor = event.actors.find((a) => event.thumbnails[a.track_id]);
  const src = ctx.api.mediaUrl(actor ? event.thumbnails[actor.track_id] : event.snapshot_url);
  const image = src
    ? h('img', { class: 'result-thumb', attrs: { src, alt: actor ? t('thumbnail_of', { id: actor.track_id }) : t('snapshot'), loading: 'lazy', decoding: 'async' } })
    : h('span', { class: 'result-thumb placeholder', attrs: { 'aria-hidden': 'true' } });
  return h(
    'li',
    { class: cited ? 'result cited' : 'result' },
    h(
      'a',
      { class: 'result-link', attrs: { href: eventHash(event.id), 'data-event-id': event.id } },
      image,
      h(
        'span',
        { class: 'result-body' },
        h(
          'span',
          { class: 'result-meta' },
          h('span', { class: `badge ${typeClass(event.type)}` }, typeName(event.type)),
          h('span', { class: 'result-camera' }, event.camera_name ?? cameraName(cameras, event.camera)),
          timeElement(event.start, cameraZone(cameras, event.camera)),
          cited ? h('span', { class: 'badge badge-cited', attrs: { title: t('cited_label') } }, t('cited')) : null,
        ),
        h('span', { class: 'result-summary' }, localized(event.summary)),
      ),
    ),
  );
}

/** The generated answer's account of what happened, each step linked to its event. */
function answerTimeline(entries: NonNullable<SearchResponse['answer']>['timeline']): HTMLElement {
  return h(
    'div',
    { class: 'answer-timeline' },
    h('h3', { class: 'answer-subtitle', attrs: { id: 'answer-timeline-title' } }, t('answer_timeline')),
    h(
      'ol',
      { class: 'answer-steps', attrs: { 'aria-labelledby': 'answer-timeline-title' } },
      ...entries.map((entry) =>
        h(
          'li',
          null,
          h('a', { class: 'answer-step', attrs: { href: eventHash(entry.event_id), 'data-event-id': entry.event_id } }, entry.time ? h('span', { class: 'answer-time' }, entry.time) : null, h('span', null, entry.what)),
        ),
      ),
    ),
  );
}

function renderResults(ctx: AppContext, response: SearchResponse, cameras: readonly Camera[]): HTMLElement[] {
  const summaries = new Map(response.events.map((e) => [e.id, localized(e.summary)]));
  const given = response.answer;
  const generated = given?.generated ? given : null;
  const cited = new Set(generated?.cited ?? []);
  const answer = h(
    'section',
    { class: generated ? 'answer generated' : 'answer', attrs: { 'aria-labelledby': 'answer-title' } },
    h('h2', { attrs: { id: 'answer-title' } }, t('answer')),
    given ? h('p', { class: 'answer-text' }, given.text) : null,
    generated ? h('p', { class: 'answer-source' }, generated.model ? t('answer_written_by', { model: generated.model }) : t('answer_written_by_model')) : null,
    given?.fallback_reason ? h('p', { class: 'answer-fallback' }, t('answer_fallback', { reason: given.fallback_reason })) : null,
    generated?.timeline.length ? answerTimeline(generated.timeline) : null,
    h('p', { class: 'interpretation' }, interpretationText(response.interpretation, cameras)),
    response.missing_info.length ? h('ul', { class: 'missing-info' }, ...response.missing_info.map((line) => h('li', null, line))) : null,
  );
  const timeline = response.timeline
    ? renderTimeline({
        timeline: response.timeline,
        describe: (id) => summaries.get(id),
        cameraZone: (camera) => cameraZone(cameras, camera),
        onOpen: (id) => navigate(eventHash(id)),
      })
    : null;
  const count =
    response.total > response.events.length
      ? t(response.total_exact ? 'results_shown' : 'results_shown_more', { shown: response.events.length, n: response.total.toLocaleString('en-US') })
      : t(response.total === 1 ? 'results_count_one' : 'results_count', { n: response.total });
  const results = h(
    'section',
    { class: 'results', attrs: { 'aria-labelledby': 'results-title' } },
    h('h2', { attrs: { id: 'results-title' } }, t('results'), ' ', h('span', { class: 'count' }, count)),
    response.events.length
      ? h('ol', { class: 'result-list' }, ...response.events.map((e) => resultItem(ctx, e, cameras, cited.has(e.id))))
      : h('p', { class: 'muted' }, t('no_results')),
  );
  return [answer, ...(timeline ? [timeline] : []), results];
}

export function renderSearchView(root: HTMLElement, ctx: AppContext, params: URLSearchParams, signal: AbortSignal): void {
  document.title = t('app_title');
  const value = (key: string) => params.get(key) ?? '';
  const q = h('input', {
    class: 'search-input',
    attrs: { type: 'search', name: 'q', value: value('q'), placeholder: t('search_placeholder'), autocomplete: 'off', enterkeyhint: 'search', 'aria-label': t('search_label') },
  });
  const from = h('input', { attrs: { type: 'datetime-local', name: 'from', value: isoToLocalInput(params.get('from')) } });
  const to = h('input', { attrs: { type: 'datetime-local', name: 'to', value: isoToLocalInput(params.get('to')) } });
  const camera = h('select', { attrs: { name: 'camera' } }, option('', t('any_camera'), true));
  const type = h('select', { attrs: { name: 'type' } }, option('', t('any_type'), !value('type')), ...EVENT_TYPES.map((ty) => option(ty, typeName(ty), value('type') === ty)));
  const cameraNote = h('p', { class: 'field-note', attrs: { role: 'status' } });

  const submit = (question: string) =>
    navigate(searchHash({ q: question, from: localInputToIso(from.value), to: localInputToIso(to.value), camera: camera.value || undefined, type: type.value || undefined }));

  const filtersOpen = FILTER_KEYS.some((k) => params.has(k));
  const filters = h(
    'details',
    { class: 'filters' },
    h('summary', null, t('filters')),
    h(
      'div',
      { class: 'filter-grid' },
      field(t('from'), from),
      field(t('to'), to),
      field(t('camera'), camera),
      field(t('type'), type),
      h('button', {
        class: 'secondary',
        attrs: { type: 'button' },
        on: {
          click: () => {
            from.value = to.value = camera.value = type.value = '';
          },
        },
      }, t('clear')),
    ),
    cameraNote,
  );
  filters.open = filtersOpen;

  const form = h(
    'form',
    {
      class: 'search-form',
      attrs: { role: 'search' },
      on: {
        submit: (event) => {
          event.preventDefault();
          submit(q.value.trim());
        },
      },
    },
    h('div', { class: 'search-row' }, q, h('button', { class: 'primary', attrs: { type: 'submit' } }, t('search_button'))),
    h(
      'div',
      { class: 'examples' },
      h('span', { class: 'examples-label' }, t('examples')),
      ...EXAMPLE_QUESTIONS.map((question) =>
        h('button', {
          class: 'example',
          attrs: { type: 'button', lang: /[\u3400-\u9fff]/.test(question) ? 'zh-Hant' : 'en' },
          on: {
            click: () => {
              q.value = question;
              submit(question);
            },
          },
        }, question),
      ),
    ),
    filters,
  );

  const output = h('div', { class: 'search-output' });
  // Announces the outcome in a few words instead of reading out the whole result area.
  const status = h('p', { class: 'visually-hidden', attrs: { role: 'status' } });
  mount(root, h('h1', { class: 'visually-hidden' }, t('search_button')), form, status, output);

  const cameras = ctx.cameras().then(
    (list) => {
      if (signal.aborted) return list;
      for (const c of list) camera.append(option(c.id, c.name ?? c.id, value('camera') === c.id));
      return list;
    },
    (error: unknown) => {
      if (!signal.aborted) cameraNote.textContent = t('cameras_error', { message: errorMessage(error) });
      return [] as Camera[];
    },
  );

  if (!params.has('q')) {
    mount(output, h('p', { class: 'muted hint' }, t('start_hint')));
    return;
  }

  const run = () => {
    mount(output, loadingView(t('searching')));
    output.setAttribute('aria-busy', 'true');
    const search = ctx.api.search(
      { q: value('q'), from: params.get('from') ?? undefined, to: params.get('to') ?? undefined, camera: params.get('camera') ?? undefined, type: params.get('type') ?? undefined, lang: currentLang() },
      signal,
    );
    Promise.all([search, cameras]).then(
      ([response, list]) => {
        if (signal.aborted) return;
        output.removeAttribute('aria-busy');
        status.textContent = response.answer?.text ?? t(response.total === 1 ? 'results_count_one' : 'results_count', { n: response.total });
        mount(output, ...renderResults(ctx, response, list));
      },
      (error: unknown) => {
        if (signal.aborted) return;
        output.removeAttribute('aria-busy');
        mount(output, errorView(error, run));
      },
    );
  };
  run();
}

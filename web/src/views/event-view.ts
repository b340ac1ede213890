/** `#/event/<id>`: the snapshot (boxes and the rule are drawn into it), facts, the model's description, actors and evidence. */
import type { Camera, EventDetail, VigilEvent } from '../api-types.ts';
import { h, mount, type Child } from '../dom.ts';
import { timeElement } from '../format.ts';
import { labelName, localized, statusName, t, typeName } from '../i18n.ts';
import { lastSearchHash } from '../router.ts';
import { cameraZone, errorView, loadingView, type AppContext } from './common.ts';
import { descriptionSection } from './description.ts';
import { typeClass } from './timeline.ts';

function fact(term: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', null, term), h('dd', null, ...value)];
}

function durationSeconds(event: VigilEvent): number {
  return Math.round((Date.parse(event.end) - Date.parse(event.start)) / 1000);
}

function snapshot(ctx: AppContext, event: VigilEvent, zone: string | undefined): HTMLElement {
  const src = ctx.api.mediaUrl(event.snapshot_url);
  if (!src) return h('p', { class: 'muted snapshot-missing' }, t('no_snapshot'));
  const size = event.frame_size;
  return h(
    'figure',
    { class: 'snapshot' },
    h('img', {
      class: 'snapshot-image',
      attrs: { src, alt: t('snapshot_alt', { id: event.id }), width: size?.width, height: size?.height, decoding: 'async' },
    }),
    h('figcaption', null, timeElement(event.start, zone)),
  );
}

function actors(ctx: AppContext, event: VigilEvent): HTMLElement {
  return h(
    'section',
    { class: 'actors', attrs: { 'aria-labelledby': 'actors-title' } },
    h('h2', { attrs: { id: 'actors-title' } }, t('actors')),
    h(
      'ul',
      { class: 'actor-list' },
      ...event.actors.map((actor) => {
        const src = ctx.api.mediaUrl(event.thumbnails[actor.track_id]);
        return h(
          'li',
          { class: 'actor' },
          src
            ? h('img', { class: 'actor-thumb', attrs: { src, alt: t('thumbnail_of', { id: actor.track_id }), loading: 'lazy', decoding: 'async' } })
            : h('span', { class: 'actor-thumb placeholder', attrs: { 'aria-hidden': 'true' } }),
          h('span', { class: 'actor-id' }, t('track', { id: actor.track_id })),
          h('span', { class: 'actor-label' }, labelName(actor.label)),
          actor.stay_seconds !== null ? h('span', { class: 'actor-stay' }, t('stayed_seconds', { n: String(Math.round(actor.stay_seconds)) })) : null,
        );
      }),
    ),
  );
}

/** Frames taken from the event's video clip (Frigate events), in time order. */
function clipFrames(ctx: AppContext, event: VigilEvent): HTMLElement {
  return h(
    'section',
    { class: 'clip-frames', attrs: { 'aria-labelledby': 'clip-frames-title' } },
    h('h2', { attrs: { id: 'clip-frames-title' } }, t('clip_frames')),
    h(
      'ol',
      { class: 'clip-frame-list' },
      ...event.clip_frames.flatMap((url, i) => {
        const src = ctx.api.mediaUrl(url);
        return src
          ? [h('li', null, h('a', { attrs: { href: src, target: '_blank' } }, h('img', { class: 'clip-frame', attrs: { src, alt: t('clip_frame_n', { n: i + 1 }), loading: 'lazy', decoding: 'async' } })))]
          : [];
      }),
    ),
  );
}

function evidence(ctx: AppContext, event: VigilEvent, zone: string | undefined): HTMLElement {
  return h(
    'section',
    { class: 'evidence', attrs: { 'aria-labelledby': 'evidence-title' } },
    h('h2', { attrs: { id: 'evidence-title' } }, t('evidence')),
    event.evidence.length
      ? h(
          'ol',
          { class: 'evidence-list' },
          ...event.evidence.map((item) => {
            const frame = ctx.api.mediaUrl(item.frame_url);
            return h(
              'li',
              { class: 'evidence-item' },
              h(
                'span',
                { class: 'evidence-meta' },
                timeElement(item.time, zone),
                item.track_id ? h('span', { class: 'evidence-track' }, item.track_id) : null,
                frame ? h('a', { class: 'evidence-frame', attrs: { href: frame, target: '_blank' } }, t('full_frame')) : null,
              ),
              h('span', { class: 'evidence-text' }, localized(item.text)),
            );
          }),
        )
      : h('p', { class: 'muted' }, t('no_evidence')),
  );
}

function renderEvent(ctx: AppContext, event: EventDetail, cameras: readonly Camera[], signal: AbortSignal): HTMLElement {
  const zone = cameraZone(cameras, event.camera);
  const cameraName = event.camera_name ?? cameras.find((c) => c.id === event.camera)?.name ?? event.camera;
  const heading = h('h1', { class: 'event-title', attrs: { tabindex: -1 } }, localized(event.summary));
  const seconds = durationSeconds(event);
  const article = h(
    'article',
    { class: 'event' },
    h('p', { class: 'eyebrow' }, h('span', { class: `badge ${typeClass(event.type)}` }, typeName(event.type)), h('span', { class: 'event-camera' }, cameraName)),
    heading,
    h(
      'div',
      { class: 'event-grid' },
      snapshot(ctx, event, zone),
      h(
        'section',
        { class: 'facts', attrs: { 'aria-labelledby': 'facts-title' } },
        h('h2', { attrs: { id: 'facts-title' } }, t('details')),
        h(
          'dl',
          null,
          ...fact(t('type'), typeName(event.type)),
          ...(event.rule ? fact(t('rule'), event.rule) : []),
          ...fact(t('camera'), cameraName),
          ...fact(t('labels'), event.labels.map(labelName).join(', ')),
          ...fact(t('time'), timeElement(event.start, zone)),
          ...(seconds > 0 ? fact(t('duration'), t('seconds', { n: seconds })) : []),
          ...(event.status ? fact(t('status'), statusName(event.status)) : []),
        ),
      ),
    ),
    descriptionSection(ctx, event.id, event.description, signal),
    event.actors.length ? actors(ctx, event) : null,
    event.clip_frames.length ? clipFrames(ctx, event) : null,
    evidence(ctx, event, zone),
  );
  document.title = `${typeName(event.type)} · ${cameraName} — ${t('app_title')}`;
  return article;
}

export function renderEventView(root: HTMLElement, ctx: AppContext, id: string, signal: AbortSignal): void {
  const back = h('nav', { class: 'back-nav' }, h('a', { class: 'back-link', attrs: { href: lastSearchHash() } }, `← ${t('back')}`));
  const body = h('div', { class: 'event-body' });
  mount(root, back, body);
  const run = () => {
    mount(body, loadingView(t('loading')));
    const cameras = ctx.cameras().catch(() => [] as Camera[]); // time zones are a nicety here
    Promise.all([ctx.api.event(id, signal), cameras]).then(
      ([event, list]) => {
        if (signal.aborted) return;
        mount(body, renderEvent(ctx, event, list, signal));
        body.querySelector<HTMLElement>('.event-title')?.focus({ preventScroll: true });
      },
      (error: unknown) => {
        if (!signal.aborted) mount(body, errorView(error, run));
      },
    );
  };
  run();
}

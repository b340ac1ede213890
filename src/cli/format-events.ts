import type { StoredEvent } from '../ports/analysis-store.ts';
import { formatLocalClock, formatLocalDate } from '../domain/time/zoned-format.ts';

export type SummaryLanguage = 'en' | 'zh-Hant';

function localTime(ms: number, timeZone: string | undefined): string {
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${formatLocalDate(ms, zone)} ${formatLocalClock(ms, zone, { seconds: true })}`;
}

/** One line per event: when, where, what, in the chosen language. */
export function formatEventLines(events: readonly StoredEvent[], options: { language: SummaryLanguage; timeZone?: string }): string[] {
  return events.map(({ event }) => {
    const start = localTime(event.startMs, options.timeZone);
    const end = localTime(event.endMs, options.timeZone).slice(11);
    const summary = options.language === 'en' ? event.summary.en : event.summary.zhHant;
    return `${start}-${end}  ${event.cameraId}  ${event.type}/${event.rule}  ${summary}  [${event.id}]`;
  });
}

/** A compact JSON view of an event for --json outputs. */
export function eventJson(stored: StoredEvent) {
  const { event } = stored;
  return {
    id: event.id,
    camera: event.cameraId,
    type: event.type,
    rule: event.rule,
    status: event.status,
    start: new Date(event.startMs).toISOString(),
    end: new Date(event.endMs).toISOString(),
    labels: event.labels,
    actors: event.actors,
    summary: event.summary,
    keywords: event.keywords,
    details: event.details,
    evidence: event.evidence.map((e) => ({ ...e, time: new Date(e.timestampMs).toISOString() })),
    snapshot: stored.snapshotPath ?? null,
    thumbnails: stored.thumbnails,
  };
}

/**
 * Times are shown in the browser's time zone; when the camera's zone is known and differs, the
 * camera's wall clock follows, since that is what the summaries (rendered on the server) say.
 */
import { h } from './dom.ts';
import { locale, t } from './i18n.ts';

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false; // an unknown zone from the server: fall back to local time only
  }
}

const SAME_DAY: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
const FULL: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', ...SAME_DAY };

export function formatTime(iso: string, options: { timeZone?: string | undefined; withDate?: boolean } = {}): string {
  const format: Intl.DateTimeFormatOptions = { ...(options.withDate === false ? SAME_DAY : FULL) };
  if (options.timeZone) format.timeZone = options.timeZone;
  return new Intl.DateTimeFormat(locale(), format).format(new Date(iso));
}

/** Only the clock part, for timeline ticks. */
export function formatClock(ms: number, withDate: boolean): string {
  const format: Intl.DateTimeFormatOptions = withDate
    ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
  return new Intl.DateTimeFormat(locale(), format).format(new Date(ms));
}

/** "20 Nov 2026, 21:00:00" and, if the camera lives elsewhere, "camera time 22:00:00 (Europe/Paris)". */
export function timeText(iso: string, cameraZone?: string | undefined): { local: string; camera?: string } {
  const local = formatTime(iso);
  if (!cameraZone || cameraZone === browserTimeZone() || !isValidZone(cameraZone)) return { local };
  return { local, camera: `${t('camera_time')} ${formatTime(iso, { timeZone: cameraZone, withDate: false })} (${cameraZone})` };
}

/** A <time> element with the camera's clock as a smaller note. */
export function timeElement(iso: string, cameraZone?: string | undefined): HTMLElement {
  const text = timeText(iso, cameraZone);
  return h(
    'span',
    { class: 'when' },
    h('time', { attrs: { datetime: iso } }, text.local),
    text.camera ? h('span', { class: 'camera-time' }, text.camera) : null,
  );
}

/**
 * "12 s ago", "in 5 s", "3 min ago": how far `iso` is from `nowMs`, in the UI's language. Times
 * come from the server's clock: a small skew must not show a frame "in 1 s", so the past side is
 * clamped to "now" when `direction` says which side to expect.
 */
export function formatRelative(iso: string, nowMs: number, direction: 'past' | 'future' | 'either' = 'either'): string {
  let seconds = Math.round((Date.parse(iso) - nowMs) / 1000);
  if (direction === 'past') seconds = Math.min(seconds, 0);
  if (direction === 'future') seconds = Math.max(seconds, 0);
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto', style: 'short' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.trunc(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.trunc(seconds / 3600), 'hour');
  return format.format(Math.trunc(seconds / 86_400), 'day');
}

/** A count with the locale's grouping (12,345). */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

/** Frames per second with one decimal (0.0 stays visible: a stalled camera shows as such). */
export function formatRate(fps: number): string {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fps);
}

export function formatRange(from: string | null, to: string | null): string {
  if (!from && !to) return t('all_time');
  return `${from ? formatTime(from) : '…'} – ${to ? formatTime(to) : '…'}`;
}

/** `datetime-local` value (local time, minutes) <-> ISO 8601 UTC. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

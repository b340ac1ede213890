import { localDateTime, type LocalDateTime } from './time/zoned-format.ts';

/**
 * Where a video file's wall-clock start comes from, in order of trust: an explicit start time
 * from config, a timestamp in the file name (as NVRs and Frigate exports write them), or the
 * file's modification time minus its duration (a recorder finishes writing at the end).
 */
export type StartTimeSource = 'config' | 'file_name' | 'file_mtime' | 'wall_clock';


const NAME_PATTERNS: readonly RegExp[] = [
  // 2024-05-01_22-05-00, 2024-05-01T22:05:00, 2024-05-01 22.05.00
  /(?<!\d)(\d{4})-(\d{2})-(\d{2})[T _-](\d{2})[-:.](\d{2})[-:.](\d{2})(?!\d)/,
  // 20240501_220500, 20240501-220500, 20240501T220500, 20240501220500
  /(?<!\d)(\d{4})(\d{2})(\d{2})[T_-]?(\d{2})(\d{2})(\d{2})(?!\d)/,
];

/** The local date and time written in a file name, or undefined when it carries none that is valid. */
export function parseTimestampFromFileName(fileName: string): LocalDateTime | undefined {
  for (const pattern of NAME_PATTERNS) {
    const m = pattern.exec(fileName);
    if (!m) continue;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const candidate = { year, month, day, hour, minute, second };
    if (isValidLocalDateTime(candidate)) return candidate;
  }
  return undefined;
}

function isValidLocalDateTime(t: LocalDateTime): boolean {
  if (t.year < 1970 || t.year > 2999 || t.month < 1 || t.month > 12 || t.hour > 23 || t.minute > 59 || t.second > 59) {
    return false;
  }
  const probe = new Date(Date.UTC(t.year, t.month - 1, t.day));
  return probe.getUTCDate() === t.day;
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in milliseconds (positive east of Greenwich). */
export function timeZoneOffsetMs(utcMs: number, timeZone: string): number {
  const t = localDateTime(utcMs, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The instant at which clocks in `timeZone` show `local`. A repeated hour (clocks going back)
 * resolves to the earlier instant; a skipped hour (clocks going forward) is read with the
 * offset in force before the jump, so 02:30 on a spring-forward night becomes 03:30 new time.
 */
export function zonedTimeToEpochMs(local: LocalDateTime, timeZone: string): number {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const DAY = 86_400_000;
  // Around any instant a zone has at most two offsets in use: those a day before and after.
  const before = timeZoneOffsetMs(naive - DAY, timeZone);
  const after = timeZoneOffsetMs(naive + DAY, timeZone);
  const matches = [naive - before, naive - after].filter((t) => t + timeZoneOffsetMs(t, timeZone) === naive);
  return matches.length > 0 ? Math.min(...matches) : naive - before;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export interface StartTimeFacts {
  kind: 'file' | 'stream';
  /** An explicit start from config, already an instant. */
  configuredStartMs?: number;
  fileName?: string;
  mtimeMs?: number;
  durationSeconds?: number;
  timeZone: string;
  nowMs: number;
}

/** When the first frame of a source was recorded, and how we know. */
export function resolveStartTime(facts: StartTimeFacts): { startMs: number; source: StartTimeSource } {
  if (facts.kind === 'stream') return { startMs: facts.nowMs, source: 'wall_clock' };
  if (facts.configuredStartMs !== undefined) return { startMs: facts.configuredStartMs, source: 'config' };
  const named = facts.fileName ? parseTimestampFromFileName(facts.fileName) : undefined;
  if (named) return { startMs: zonedTimeToEpochMs(named, facts.timeZone), source: 'file_name' };
  if (facts.mtimeMs !== undefined) {
    const duration = (facts.durationSeconds ?? 0) * 1000;
    return { startMs: Math.round(facts.mtimeMs - duration), source: 'file_mtime' };
  }
  return { startMs: facts.nowMs, source: 'wall_clock' };
}

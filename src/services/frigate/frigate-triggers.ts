import type { FrigateEventMessage, FrigateMessageType } from './frigate-message.ts';

/** What Vigil does with one Frigate camera (frigate.cameras.<name> in the config). */
export interface FrigateCameraRules {
  enabled: boolean;
  /** The Vigil camera id its events are stored under. */
  vigilCamera: string;
  /** Only these labels; undefined: every label. */
  objects?: readonly string[];
  /** Only objects that entered one of these zones; empty: anywhere. */
  requiredZones: readonly string[];
  /** Entering one of these makes the event an intrusion. */
  restrictedZones: readonly string[];
}

export interface FrigateTriggerSettings {
  triggers: readonly FrigateMessageType[];
  /** By Frigate camera name; cameras not listed get `defaultCameraRules`. */
  cameras: Readonly<Record<string, FrigateCameraRules>>;
}

export type TriggerDecision = { accept: true; camera: FrigateCameraRules } | { accept: false; reason: string };

/** A Frigate camera name as a Vigil camera id: lower case, anything else than [a-z0-9_-] as "-". */
export function vigilCameraId(frigateCamera: string): string {
  const id = frigateCamera.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+/, '');
  return id === '' ? 'frigate' : id;
}

/**
 * Vigil's id for a Frigate event: deterministic (replays upsert the same row), safe in paths and
 * URLs, and one-to-one, so two Frigate events never share a Vigil event. Lower-case letters,
 * digits and "-" stay as they are; "." (one in every Frigate id, `<seconds>.<micro>-<random>`)
 * becomes "_", so ordinary ids read as they always did; every other character, "_" included,
 * becomes "~" and the hex of its UTF-8 bytes ("_" -> "~5f", "/" -> "~2f", "A" -> "~41").
 * Until issue 12, ".", "/" and "_" all became "_" (and capitals were lower-cased): events stored
 * then keep their ids, because an ingest job names its event and later messages reuse that name.
 * Should an old id equal a new one (an old "a_b" and a new "a.b"), the newcomer escapes its dots
 * too (`escapeDots`: "." -> "~2e"), a form neither encoding ever makes otherwise.
 */
export function vigilEventId(frigateId: string, options: { escapeDots?: boolean } = {}): string {
  let out = '';
  for (const char of frigateId) {
    if (/^[a-z0-9-]$/.test(char)) out += char;
    else if (char === '.' && !options.escapeDots) out += '_';
    else for (const byte of new TextEncoder().encode(char)) out += `~${byte.toString(16).padStart(2, '0')}`;
  }
  return `frigate-${out}`;
}

export function cameraRules(settings: FrigateTriggerSettings, frigateCamera: string): FrigateCameraRules {
  return settings.cameras[frigateCamera] ?? { enabled: true, vigilCamera: vigilCameraId(frigateCamera), requiredZones: [], restrictedZones: [] };
}

/**
 * Whether a message makes or updates a Vigil event. Configured trigger types start following a
 * Frigate event; once followed (`known`), its `end` is always taken, so an event created on `new`
 * is closed (and described) even when `end` is not a trigger. Filters work as Frigate's own
 * genai filters: `objects` on the label, `required_zones` on the zones the object entered.
 */
export function decideTrigger(message: FrigateEventMessage, settings: FrigateTriggerSettings, known: boolean): TriggerDecision {
  const after = message.after;
  const camera = cameraRules(settings, after.camera);
  if (!camera.enabled) return { accept: false, reason: `camera ${after.camera} is disabled` };
  if (after.false_positive === true) return { accept: false, reason: 'false positive' };
  if (!settings.triggers.includes(message.type) && !(known && message.type === 'end')) {
    return { accept: false, reason: `"${message.type}" is not a trigger` };
  }
  if (camera.objects && !camera.objects.includes(after.label)) return { accept: false, reason: `label ${after.label} is not in objects` };
  if (camera.requiredZones.length > 0) {
    const zones = new Set([...after.entered_zones, ...after.current_zones]);
    if (!camera.requiredZones.some((z) => zones.has(z))) return { accept: false, reason: 'not in a required zone' };
  }
  return { accept: true, camera };
}

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

/** Vigil's id for a Frigate event: deterministic, so replays upsert the same row; safe in paths. */
export function vigilEventId(frigateId: string): string {
  return `frigate-${frigateId.toLowerCase().replace(/[^a-z0-9-]/g, '_')}`;
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

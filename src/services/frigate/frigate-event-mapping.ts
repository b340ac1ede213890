import type { Evidence, EventType, VigilEvent } from '../../domain/events/event-types.ts';
import { eventKeywords } from '../../domain/events/keywords.ts';
import { labelName } from '../../domain/events/labels.ts';
import { summarizeEvent } from '../../domain/events/summarize.ts';
import type { CameraRules } from '../../domain/rules/rule-types.ts';
import { classFamily, FAMILY_ID_PREFIX } from '../../domain/tracking/class-family.ts';
import type { FrigateEventMessage } from './frigate-message.ts';
import type { FrigateCameraRules } from './frigate-triggers.ts';
import { vigilEventId } from './frigate-triggers.ts';

export interface FrigateCameraContext extends FrigateCameraRules {
  /** Display name for summaries (the Vigil camera's name when configured, else its id). */
  cameraName: string;
  timeZone: string;
}

const ms = (seconds: number) => Math.round(seconds * 1000);

/** The rules summaries and keywords need, from what Frigate tells: zone names only, no geometry. */
function rulesFor(camera: FrigateCameraContext): CameraRules {
  return {
    cameraId: camera.vigilCamera,
    cameraName: camera.cameraName,
    timeZone: camera.timeZone,
    frameWidth: 0,
    frameHeight: 0,
    zones: camera.restrictedZones.map((name) => ({ name, displayName: { en: name, zhHant: name }, polygon: [], debounceFrames: 1, restricted: true })),
    tripwires: [],
    objectSeenLabels: [],
    cooldownSeconds: 0,
    mergeSeconds: 0,
  };
}

/**
 * A Frigate tracked object as a Vigil event: `intrusion` (rule = the zone) when it entered a zone
 * the camera lists as restricted, else `object_seen` (rule = the label). One actor (`p1`, `v1`,
 * ...), one piece of evidence at the snapshot's frame, and the same deterministic bilingual
 * summaries as events Vigil found itself, plus Frigate's sub label (a face or plate name).
 * `eventId`: the id its ingest job gave it (events stored before issue 12 keep their old encoding).
 */
export function frigateToVigilEvent(message: FrigateEventMessage, camera: FrigateCameraContext, eventId: string = vigilEventId(message.after.id)): VigilEvent {
  const after = message.after;
  const restricted = after.entered_zones.find((z) => camera.restrictedZones.includes(z));
  const type: EventType = restricted !== undefined ? 'intrusion' : 'object_seen';
  const family = classFamily(after.label);
  const trackId = `${FAMILY_ID_PREFIX[family]}1`;
  const startMs = ms(after.start_time);
  const closed = message.type === 'end' || after.end_time !== null;
  const lastSeen = after.end_time ?? after.frame_time ?? after.start_time;
  const endMs = Math.max(startMs, ms(lastSeen));
  const snapshot = typeof after['snapshot'] === 'object' && after['snapshot'] !== null ? (after['snapshot'] as Record<string, unknown>) : undefined;
  const snapshotTime = typeof snapshot?.['frame_time'] === 'number' ? snapshot['frame_time'] : lastSeen;
  const [x1, y1, x2, y2] = after.box ?? [0, 0, 0, 0];
  const name = labelName(after.label);
  const score = after.top_score ?? after.score ?? 0;
  const evidence: Evidence = {
    kind: 'best_view',
    timestampMs: ms(snapshotTime),
    frameIndex: 0,
    trackId,
    box: { x1, y1, x2, y2 },
    score,
    text: { en: `Best view of the ${name.en} (Frigate score ${score.toFixed(2)})`, zhHant: `${name.zhHant}的最佳畫面（Frigate 分數 ${score.toFixed(2)}）` },
  };
  const event: VigilEvent = {
    id: eventId,
    cameraId: camera.vigilCamera,
    type,
    rule: restricted ?? after.label,
    status: closed ? 'closed' : 'open',
    labels: [after.label],
    actors: [{ trackId, label: after.label, family }],
    startMs,
    endMs,
    startFrameIndex: 0,
    endFrameIndex: 0,
    evidence: [evidence],
    snapshotFrameIndex: 0,
    summary: { en: '', zhHant: '' },
    keywords: [],
    details: type === 'intrusion' ? { dwellSeconds: Math.round((endMs - startMs) / 1000) } : {},
  };
  const rules = rulesFor(camera);
  const summary = summarizeEvent(event, rules);
  const who = after.sub_label?.name;
  event.summary = who ? { en: `${summary.en}, recognised as ${who}`, zhHant: `${summary.zhHant}，辨識為 ${who}` } : summary;
  const extra = ['frigate', ...(who ? [who.toLowerCase()] : []), ...after.entered_zones.map((z) => z.toLowerCase())];
  event.keywords = [...new Set([...eventKeywords(event, rules), ...extra])];
  return event;
}

import type {
  CrossingSignal,
  EndSignal,
  RuleSignal,
  Sighting,
  StartSignal,
  UpdateSignal,
} from '../rules/incident-types.ts';
import { RuleEvaluator } from '../rules/rule-evaluator.ts';
import type { CameraRules } from '../rules/rule-types.ts';
import type { TrackerOutput } from '../tracking/tracking-types.ts';
import {
  addOrRefreshActor,
  copyEvent,
  evidenceOf,
  extendEnd,
  extendStart,
  insertEvidence,
  offerBestView,
  sanitizeId,
  staySeconds,
  type EventRecord,
} from './event-record.ts';
import type { EventChange, EventType, EvidenceKind, LocalizedText, VigilEvent } from './event-types.ts';
import { evidenceText, type EvidenceTextFacts } from './evidence-text.ts';
import { eventKeywords } from './keywords.ts';
import { ruleDisplayName } from './phrases.ts';
import { summarizeEvent } from './summarize.ts';

export interface EventEngineOptions {
  /** First part of every event id, e.g. the camera id and the recording's start. */
  idPrefix: string;
}

/** What happened to events while one frame was processed. */
class FrameChanges {
  readonly touched = new Map<EventRecord, { isNew: boolean; wasOpen: boolean }>();
  readonly snapshots = new Set<EventRecord>();
  readonly thumbnails = new Map<EventRecord, string[]>();

  constructor(readonly frameIndex: number) {}

  /** Call before changing the record, so that its status before the frame is known. */
  touch(record: EventRecord, isNew = false): void {
    if (!this.touched.has(record)) this.touched.set(record, { isNew, wasOpen: record.event.status === 'open' });
  }
}

/**
 * Turns rule incidents into events, one frame at a time. Deterministic: the same rules and the
 * same tracker output give the same changes, ids included.
 *
 * An incident joins an existing event of the same rule (and direction, for crossings), in this
 * order: the rule's open event (a crossing event stays open for mergeSeconds after its last
 * crossing); else the event the same track was last part of, if the incident starts within
 * cooldownSeconds of that event's end; else the rule's latest event, if the incident starts
 * within mergeSeconds of its end. Otherwise it opens a new event.
 */
export class EventEngine {
  private readonly evaluator: RuleEvaluator;
  private readonly cooldownMs: number;
  private readonly mergeMs: number;
  private readonly open = new Set<EventRecord>();
  private readonly recentlyClosed = new Set<EventRecord>();
  private readonly latestByKey = new Map<string, EventRecord>();
  private readonly latestByTrack = new Map<string, EventRecord>();
  /** Ongoing lasting incidents, by `${mergeKey}|${trackId}`. */
  private readonly incidents = new Map<string, EventRecord>();

  constructor(
    private readonly rules: CameraRules,
    private readonly options: EventEngineOptions,
  ) {
    this.evaluator = new RuleEvaluator(rules);
    this.cooldownMs = Math.max(0, rules.cooldownSeconds) * 1000;
    this.mergeMs = Math.max(0, rules.mergeSeconds) * 1000;
  }

  process(frame: TrackerOutput): EventChange[] {
    const changes = new FrameChanges(frame.frameIndex);
    for (const record of [...this.open]) {
      if (record.lastCrossingMs !== undefined && frame.timestampMs - record.lastCrossingMs > this.mergeMs) {
        this.close(record, changes);
      }
    }
    for (const signal of this.evaluator.update(frame)) this.apply(signal, changes);
    this.forgetExpired(frame.timestampMs);
    return this.report(changes);
  }

  /** End of input: ends every incident and closes every open event. */
  finish(timestampMs: number, frameIndex: number): EventChange[] {
    const changes = new FrameChanges(frameIndex);
    for (const signal of this.evaluator.finish()) this.apply(signal, changes);
    for (const record of [...this.open]) this.close(record, changes);
    this.forgetExpired(timestampMs);
    return this.report(changes);
  }

  private apply(signal: RuleSignal, changes: FrameChanges): void {
    switch (signal.kind) {
      case 'crossing':
        return this.applyCrossing(signal, changes);
      case 'start':
        return this.applyStart(signal, changes);
      case 'update':
        return this.applyUpdate(signal, changes);
      case 'end':
        return this.applyEnd(signal, changes);
    }
  }

  private applyCrossing(signal: CrossingSignal, changes: FrameChanges): void {
    const s = signal.sighting;
    const key = `${signal.type}|${signal.rule}|${signal.direction}`;
    const record =
      this.joinable(key, s.trackId, s.timestampMs, changes) ??
      this.create(signal.type, signal.rule, key, s.timestampMs, s.frameIndex, s, changes);
    if (record.lastCrossingMs === undefined) {
      record.event.snapshotFrameIndex = s.frameIndex;
      changes.snapshots.add(record);
    }
    record.direction = signal.direction;
    record.lastCrossingMs = Math.max(record.lastCrossingMs ?? s.timestampMs, s.timestampMs);
    this.addSighting(record, s);
    this.latestByTrack.set(`${key}|${s.trackId}`, record);
    insertEvidence(record.event, evidenceOf('crossing', s, this.text(record, 'crossing', s), signal.point));
    this.offerView(record, s, changes);
  }

  private applyStart(signal: StartSignal, changes: FrameChanges): void {
    const s = signal.sighting;
    const key = `${signal.type}|${signal.rule}`;
    let record = this.joinable(key, s.trackId, signal.startMs, changes);
    if (record === undefined) {
      record = this.create(signal.type, signal.rule, key, signal.startMs, signal.startFrameIndex, s, changes);
      record.snapshotActor = s.trackId;
    } else {
      extendStart(record.event, signal.startMs, signal.startFrameIndex);
    }
    record.active.add(s.trackId);
    const stay = record.stays.get(s.trackId) ?? { endedMs: 0 };
    stay.open = { sinceMs: signal.startMs, lastMs: Math.max(signal.startMs, s.timestampMs) };
    record.stays.set(s.trackId, stay);
    this.incidents.set(`${key}|${s.trackId}`, record);
    this.latestByTrack.set(`${key}|${s.trackId}`, record);
    if (signal.loitering !== undefined) record.metrics.set(s.trackId, signal.loitering);
    this.addSighting(record, s);
    const begin: EvidenceKind = signal.type === 'object_seen' ? 'first_seen' : 'zone_enter';
    insertEvidence(record.event, evidenceOf(begin, signal.begin, this.text(record, begin, signal.begin)));
    if (signal.type === 'loitering') {
      const kind = 'loitering_confirmed';
      insertEvidence(record.event, evidenceOf(kind, s, this.text(record, kind, s)));
    }
    this.offerView(record, s, changes);
  }

  private applyUpdate(signal: UpdateSignal, changes: FrameChanges): void {
    const s = signal.sighting;
    const record = this.incidents.get(`${signal.type}|${signal.rule}|${s.trackId}`);
    if (record === undefined) return;
    changes.touch(record);
    if (signal.loitering !== undefined) record.metrics.set(s.trackId, signal.loitering);
    const open = record.stays.get(s.trackId)?.open;
    if (open) open.lastMs = Math.max(open.lastMs, s.timestampMs);
    this.addSighting(record, s);
    this.offerView(record, s, changes);
  }

  private applyEnd(signal: EndSignal, changes: FrameChanges): void {
    const last = signal.last;
    const incidentKey = `${signal.type}|${signal.rule}|${last.trackId}`;
    const record = this.incidents.get(incidentKey);
    if (record === undefined) return;
    changes.touch(record);
    this.incidents.delete(incidentKey);
    record.active.delete(last.trackId);
    const stay = record.stays.get(last.trackId);
    if (stay?.open) {
      stay.endedMs += Math.max(stay.open.lastMs, last.timestampMs) - stay.open.sinceMs;
      delete stay.open;
    }
    extendEnd(record.event, last.timestampMs, last.frameIndex);
    const kind = endEvidenceKind(signal);
    if (kind !== undefined) insertEvidence(record.event, evidenceOf(kind, last, this.text(record, kind, last)));
    if (record.active.size === 0) this.close(record, changes);
  }

  /** The event an incident starting at `startMs` joins, reopened if it was closed. */
  private joinable(key: string, trackId: string, startMs: number, changes: FrameChanges): EventRecord | undefined {
    const latest = this.latestByKey.get(key);
    const own = this.latestByTrack.get(`${key}|${trackId}`);
    let record: EventRecord | undefined;
    if (latest?.event.status === 'open') record = latest;
    else if (own !== undefined && startMs - own.event.endMs <= this.cooldownMs) record = own;
    else if (latest !== undefined && startMs - latest.event.endMs <= this.mergeMs) record = latest;
    if (record === undefined) return undefined;
    changes.touch(record);
    if (record.event.status === 'closed') {
      record.event.status = 'open';
      this.open.add(record);
      this.recentlyClosed.delete(record);
    }
    this.latestByKey.set(key, record);
    return record;
  }

  private create(
    type: EventType,
    rule: string,
    mergeKey: string,
    startMs: number,
    startFrameIndex: number,
    first: Sighting,
    changes: FrameChanges,
  ): EventRecord {
    const id = sanitizeId(`${this.options.idPrefix}-${type}-${rule}-${startFrameIndex}-${first.trackId}`);
    const event: VigilEvent = {
      id,
      cameraId: this.rules.cameraId,
      type,
      rule,
      status: 'open',
      labels: [],
      actors: [],
      startMs,
      endMs: startMs,
      startFrameIndex,
      endFrameIndex: startFrameIndex,
      evidence: [],
      snapshotFrameIndex: first.frameIndex,
      summary: { en: '', zhHant: '' },
      keywords: [],
      details: {},
    };
    const record: EventRecord = { event, mergeKey, active: new Set(), bestValue: new Map(), metrics: new Map(), stays: new Map() };
    changes.touch(record, true);
    this.open.add(record);
    this.latestByKey.set(mergeKey, record);
    return record;
  }

  private close(record: EventRecord, changes: FrameChanges): void {
    changes.touch(record);
    record.event.status = 'closed';
    this.open.delete(record);
    this.recentlyClosed.add(record);
    for (const trackId of record.active) this.incidents.delete(`${record.mergeKey}|${trackId}`);
    record.active.clear();
  }

  private addSighting(record: EventRecord, s: Sighting): void {
    addOrRefreshActor(record.event, s);
    extendEnd(record.event, s.timestampMs, s.frameIndex);
  }

  /** Only frames being processed now can become a best view: their pixels still exist. */
  private offerView(record: EventRecord, s: Sighting, changes: FrameChanges): void {
    if (s.frameIndex !== changes.frameIndex) return;
    if (!offerBestView(record, s, this.text(record, 'best_view', s))) return;
    const thumbnails = changes.thumbnails.get(record) ?? [];
    if (!thumbnails.includes(s.trackId)) thumbnails.push(s.trackId);
    changes.thumbnails.set(record, thumbnails);
    if (record.snapshotActor === s.trackId) {
      record.event.snapshotFrameIndex = s.frameIndex;
      changes.snapshots.add(record);
    }
  }

  private text(record: EventRecord, kind: EvidenceKind, s: Sighting): LocalizedText {
    const event = record.event;
    const facts: EvidenceTextFacts = {
      kind,
      actor: s,
      ruleName: ruleDisplayName(event.type, event.rule, this.rules),
    };
    if (record.direction !== undefined) {
      facts.direction = record.direction;
      const wire = this.rules.tripwires.find((w) => w.name === event.rule);
      if (wire?.inbound !== undefined) facts.inbound = record.direction === wire.inbound;
      if (wire?.sides) facts.sides = wire.sides;
    }
    const metrics = record.metrics.get(s.trackId);
    if (metrics !== undefined) {
      facts.dwellSeconds = metrics.dwellSeconds;
      facts.averageSpeedPxPerSecond = metrics.averageSpeedPxPerSecond;
    }
    return evidenceText(facts);
  }

  private refreshDerived(record: EventRecord): void {
    const event = record.event;
    const details: VigilEvent['details'] = {};
    if (event.type === 'line_crossing' && record.direction !== undefined) {
      details.direction = record.direction;
      const inbound = this.rules.tripwires.find((w) => w.name === event.rule)?.inbound;
      if (inbound !== undefined) details.inbound = record.direction === inbound;
    }
    if (event.type === 'intrusion' || event.type === 'loitering') {
      details.dwellSeconds = (event.endMs - event.startMs) / 1000;
    }
    for (const actor of event.actors) {
      const stay = record.stays.get(actor.trackId);
      if (stay !== undefined) actor.staySeconds = staySeconds(stay);
    }
    const metrics = record.snapshotActor === undefined ? undefined : record.metrics.get(record.snapshotActor);
    if (event.type === 'loitering' && metrics !== undefined) {
      details.averageSpeedPxPerSecond = Math.round(metrics.averageSpeedPxPerSecond * 10) / 10;
      details.midlineCrossings = metrics.midlineCrossings;
    }
    event.details = details;
    event.summary = summarizeEvent(event, this.rules);
    event.keywords = eventKeywords(event, this.rules);
  }

  private report(changes: FrameChanges): EventChange[] {
    const out: EventChange[] = [];
    for (const [record, { isNew, wasOpen }] of changes.touched) {
      this.refreshDerived(record);
      const base = {
        renderSnapshot: changes.snapshots.has(record),
        renderThumbnails: changes.thumbnails.get(record) ?? [],
      };
      const closedNow = record.event.status === 'closed';
      if (isNew) out.push({ change: 'opened', event: copyEvent(record.event), ...base });
      if (closedNow && (isNew || wasOpen)) {
        out.push({ change: 'closed', event: copyEvent(record.event), ...(isNew ? noRender : base) });
      } else if (!isNew) {
        out.push({ change: 'updated', event: copyEvent(record.event), ...base });
      }
    }
    return out;
  }

  /** Forgets closed events that no incident can join any more. */
  private forgetExpired(nowMs: number): void {
    const keepMs = Math.max(this.cooldownMs, this.mergeMs);
    for (const record of [...this.recentlyClosed]) {
      if (nowMs - record.event.endMs <= keepMs) continue;
      this.recentlyClosed.delete(record);
      if (this.latestByKey.get(record.mergeKey) === record) this.latestByKey.delete(record.mergeKey);
      for (const actor of record.event.actors) {
        const key = `${record.mergeKey}|${actor.trackId}`;
        if (this.latestByTrack.get(key) === record) this.latestByTrack.delete(key);
      }
    }
  }
}

const noRender = { renderSnapshot: false, renderThumbnails: [] as string[] };

function endEvidenceKind(signal: EndSignal): EvidenceKind | undefined {
  if (signal.type === 'object_seen') return 'last_seen';
  if (signal.reason === 'exit') return 'zone_exit';
  if (signal.reason === 'track_lost') return 'track_lost';
  return undefined;
}

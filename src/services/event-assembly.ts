import type { Detection } from '../domain/detection.ts';
import type { EventChange, VigilEvent } from '../domain/events/event-types.ts';
import type { EventEngine } from '../domain/events/event-engine.ts';
import type { CameraRules } from '../domain/rules/rule-types.ts';
import type { ByteTracker } from '../domain/tracking/byte-tracker.ts';
import type { TrackerOutput } from '../domain/tracking/tracking-types.ts';
import type { StoredDetection, StoredEvent, TrackSummary } from '../ports/analysis-store.ts';
import type { DetectorImage } from '../ports/detector.ts';
import type { EventMedia, SnapshotOverlay } from '../ports/event-media.ts';
import type { Logger } from '../ports/logger.ts';

export interface AssemblyFrame {
  index: number;
  timestampMs: number;
  detected: boolean;
  /** Every candidate the tracker sees this frame, in detector order; trackIds are filled in here. */
  candidates: readonly StoredDetection[];
  /** The frame's pixels, while they exist, for snapshots and thumbnails. */
  image?: DetectorImage;
}

export interface AssemblyOutput {
  detections: StoredDetection[];
  tracks: TrackSummary[];
  events: StoredEvent[];
}

export interface EventAssemblyDeps {
  runId: number;
  rules: CameraRules;
  tracker: ByteTracker;
  engine: EventEngine;
  media?: EventMedia;
  logger: Logger;
}

/**
 * Frames in, tracks and events out: steps the tracker on every frame the detector ran on, feeds
 * its output to the rule/event engine, and writes the evidence images the engine asks for while
 * the frame's pixels are still in memory. Replaying stored frames (render: false) rebuilds the
 * same state after an interruption, with the same image paths, without writing anything.
 */
export class EventAssembly {
  private readonly tracks = new Map<string, TrackSummary>();
  private readonly media = new Map<string, { snapshotPath?: string; thumbnails: Record<string, string> }>();

  constructor(private readonly deps: EventAssemblyDeps) {}

  async step(frame: AssemblyFrame, options: { render: boolean }): Promise<AssemblyOutput> {
    const detections = frame.candidates.map((d) => ({ ...d }));
    if (!frame.detected) return { detections, tracks: [], events: [] };
    const output = this.deps.tracker.update({
      frameIndex: frame.index,
      timestampMs: frame.timestampMs,
      detections: frame.candidates as readonly Detection[],
    });
    for (const t of output.tracked) {
      const d = detections[t.detectionIndex];
      if (d) d.trackId = t.trackId;
    }
    const tracks = this.recordTracks(output);
    const changes = this.deps.engine.process(output);
    const events: StoredEvent[] = [];
    for (const change of changes) {
      await this.renderRequested(change, output, options.render ? frame.image : undefined);
      events.push(this.stored(change.event));
    }
    return { detections, tracks, events };
  }

  /** End of input: every track finishes and every open event closes. */
  finish(timestampMs: number, frameIndex: number): Omit<AssemblyOutput, 'detections'> {
    const finished = this.deps.tracker.finishAll(timestampMs, frameIndex);
    const flush: TrackerOutput = { frameIndex, timestampMs, tracked: [], lost: [], finished };
    const changes = [...this.deps.engine.process(flush), ...this.deps.engine.finish(timestampMs, frameIndex)];
    return { tracks: [], events: changes.map((c) => this.stored(c.event)) };
  }

  private recordTracks(output: TrackerOutput): TrackSummary[] {
    const changed: TrackSummary[] = [];
    for (const t of output.tracked) {
      const previous = this.tracks.get(t.trackId);
      const summary: TrackSummary = {
        trackId: t.trackId,
        label: t.label,
        family: t.family,
        firstMs: previous?.firstMs ?? t.firstSeenMs,
        firstFrame: previous?.firstFrame ?? t.firstFrameIndex,
        lastMs: output.timestampMs,
        lastFrame: output.frameIndex,
        hits: t.hits,
      };
      this.tracks.set(t.trackId, summary);
      changed.push(summary);
    }
    for (const f of output.finished) this.tracks.delete(f.trackId);
    return changed;
  }

  private async renderRequested(change: EventChange, output: TrackerOutput, image: DetectorImage | undefined): Promise<void> {
    const { media, runId } = this.deps;
    if (!media) return;
    const entry = this.mediaEntry(change.event.id);
    const eventId = change.event.id;
    try {
      if (change.renderSnapshot) {
        const path = media.snapshotPath(runId, eventId);
        if (image) await media.writeSnapshot(path, image, this.overlay(change.event, output));
        entry.snapshotPath = path;
      }
      for (const trackId of change.renderThumbnails) {
        const tracked = output.tracked.find((t) => t.trackId === trackId);
        if (!tracked) continue;
        const path = media.thumbnailPath(runId, eventId, trackId);
        if (image) await media.writeThumbnail(path, image, tracked.box);
        entry.thumbnails[trackId] = path;
      }
    } catch (error) {
      // Evidence images are worth a warning, not the whole analysis (a full disk, say).
      this.deps.logger.warn({ err: error, eventId }, 'could not write an event image');
    }
  }

  private overlay(event: VigilEvent, output: TrackerOutput): SnapshotOverlay {
    const actors = new Set(event.actors.map((a) => a.trackId));
    const boxes = output.tracked.filter((t) => actors.has(t.trackId)).map((t) => ({ box: t.box, caption: `${t.trackId} ${t.label}` }));
    const zone = event.type === 'intrusion' || event.type === 'loitering' ? this.deps.rules.zones.find((z) => z.name === event.rule) : undefined;
    const wire = event.type === 'line_crossing' ? this.deps.rules.tripwires.find((t) => t.name === event.rule) : undefined;
    return { boxes, ...(zone ? { polygon: zone.polygon } : {}), ...(wire ? { line: [wire.a, wire.b] as const } : {}) };
  }

  private mediaEntry(eventId: string) {
    let entry = this.media.get(eventId);
    if (!entry) {
      entry = { thumbnails: {} };
      this.media.set(eventId, entry);
    }
    return entry;
  }

  private stored(event: VigilEvent): StoredEvent {
    const entry = this.mediaEntry(event.id);
    return {
      runId: this.deps.runId,
      event,
      ...(entry.snapshotPath !== undefined ? { snapshotPath: entry.snapshotPath } : {}),
      thumbnails: { ...entry.thumbnails },
    };
  }
}

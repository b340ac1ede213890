import { boxArea } from '../domain/geometry.ts';
import { filterFor, type Detection, type DetectionFilterOptions } from '../domain/detection.ts';
import type { Frame } from '../domain/frame.ts';
import { MotionGate, type MotionGateOptions } from '../domain/motion-gate.ts';
import type { AnalysisStore, RunRecord, StoredDetection, StoredEvent, StoredFrame, TrackSummary, WriteFence } from '../ports/analysis-store.ts';
import type { Detector, DetectorImage } from '../ports/detector.ts';
import type { FrameArchive } from '../ports/frame-archive.ts';
import type { Clock, Logger } from '../ports/logger.ts';
import type { DecodeOptions, VideoInfo, VideoInput } from '../ports/video-input.ts';
import type { EventAssembly } from './event-assembly.ts';

const COMMIT_EVERY_FRAMES = 25;
const COMMIT_EVERY_MS = 1000;
/** Frames decoded but not yet stored; skipped frames are tiny, so this only guards against pathological stalls. */
const MAX_PENDING_FRAMES = 256;

/** An event as one commit stored it: first seen (`new`) or a later state of it (`update`). */
export interface CommittedEvent {
  stored: StoredEvent;
  change: 'new' | 'update';
  /** Time of the first frame whose changes to the event this commit stores (for a new event, the frame that opened it). */
  frameMs: number;
}

export interface FramePipelineDeps {
  videoInput: VideoInput;
  detector: Detector;
  store: AnalysisStore;
  archive?: FrameArchive;
  assembly?: EventAssembly;
  /** Told about events once they are committed (to queue descriptions, announce them, measure latency). */
  onEventsCommitted?: (events: readonly CommittedEvent[]) => void | Promise<void>;
  logger: Logger;
  clock: Clock;
}

export interface FramePipelineSettings {
  run: RunRecord;
  video: VideoInfo;
  decode: DecodeOptions;
  motion: MotionGateOptions;
  labels: readonly string[];
  /** The real per-label thresholds: candidates below them are kept only as the tracker's low-score input. */
  confidence: DetectionFilterOptions;
  /** Live inputs: the decoded frames pass through this (a bounded queue that drops the oldest). */
  frames?: (decoded: AsyncIterable<Frame>) => AsyncIterable<Frame>;
  /** Events of this run already stored (a resumed run): they are updates, not new. */
  knownEventIds?: Iterable<string>;
  onFrameStored?: (framesDone: number, processedThisSession: number, frame: StoredFrame) => void;
  /** Analysed frames whose batch could not be stored (the storage refused or could not be reached): lost. */
  onFramesLost?: (count: number) => void;
  /** The camera's lease: every commit is refused once another worker took the camera over. */
  fence?: () => WriteFence;
}

interface DetectedFrame {
  stored: StoredFrame;
  image?: DetectorImage;
}

interface PendingFrame {
  result: Promise<DetectedFrame>;
  /** Whether this frame occupies a detector slot until drained. */
  detecting: boolean;
  settled: boolean;
}

function track(result: Promise<DetectedFrame>, detecting: boolean): PendingFrame {
  const entry: PendingFrame = { result, detecting, settled: false };
  const markSettled = () => {
    entry.settled = true;
  };
  result.then(markSettled, markSettled);
  return entry;
}

/** An event that begins or ends is what people wait for: its batch is stored at once, not after the usual second. */
export function beginsOrEnds(events: readonly StoredEvent[], stored: ReadonlySet<string>): boolean {
  return events.some((e) => e.event.status === 'closed' || !stored.has(e.event.id));
}

/** Batches frames and what they produced (tracks, events), deduplicated to the latest state. */
export class CommitBatch {
  frames: StoredFrame[] = [];
  tracks = new Map<string, TrackSummary>();
  events = new Map<string, { stored: StoredEvent; frameMs: number }>();

  add(output: { tracks: readonly TrackSummary[]; events: readonly StoredEvent[] }, frameMs: number): void {
    for (const t of output.tracks) this.tracks.set(t.trackId, t);
    // The latest state is stored, but it has waited since the first frame that changed it in this batch.
    for (const e of output.events) this.events.set(e.event.id, { stored: e, frameMs: this.events.get(e.event.id)?.frameMs ?? frameMs });
  }

  get empty(): boolean {
    return this.frames.length === 0 && this.tracks.size === 0 && this.events.size === 0;
  }
}

/**
 * Decode, gate, detect in parallel, and commit in frame order: the heart of an analysis run.
 * Results are committed in small transactions together with the run's progress, so an
 * interruption at any moment leaves a consistent database that a re-run resumes from.
 */
export class FramePipeline {
  private batch = new CommitBatch();
  private lastCommit: number;
  private processed = 0;
  private readonly knownEvents: Set<string>;

  constructor(
    private readonly deps: FramePipelineDeps,
    private readonly settings: FramePipelineSettings,
  ) {
    this.lastCommit = deps.clock.now();
    this.knownEvents = new Set(settings.knownEventIds ?? []);
  }

  /** Runs to the end of the input (or until aborted); returns the frames processed in this session. */
  async run(): Promise<number> {
    const { run } = this.settings;
    const resumeAfter = run.lastFrameIndex;
    await this.replayCommitted(resumeAfter);
    const gate = new MotionGate(this.settings.motion);
    const pending: PendingFrame[] = [];
    let inFlight = 0;
    let last: { index: number; timestampMs: number } | undefined;

    const settleHead = async () => {
      const head = pending.shift()!;
      if (head.detecting) inFlight--;
      const { stored, image } = await head.result;
      let urgent = false;
      if (this.deps.assembly) {
        const output = await this.deps.assembly.step({ ...stored, candidates: stored.detections, ...(image ? { image } : {}) }, { render: true });
        stored.detections = output.detections;
        this.batch.add(output, stored.timestampMs);
        urgent = beginsOrEnds(output.events, this.knownEvents);
      }
      this.batch.frames.push(stored);
      last = { index: stored.index, timestampMs: stored.timestampMs };
      this.processed++;
      if (urgent || this.batch.frames.length >= COMMIT_EVERY_FRAMES || this.deps.clock.now() - this.lastCommit >= COMMIT_EVERY_MS) await this.commit();
      this.settings.onFrameStored?.(resumeAfter + 1 + this.processed, this.processed, stored);
    };

    const decoded = this.deps.videoInput.frames(this.settings.video, this.settings.decode);
    try {
      for await (const frame of this.settings.frames ? this.settings.frames(decoded) : decoded) {
        // The gate sees every frame, even those already stored, so that a resumed run makes
        // exactly the decisions an uninterrupted one would.
        const decision = gate.decide(frame);
        if (frame.index <= resumeAfter) {
          last = { index: frame.index, timestampMs: frame.timestampMs };
          continue;
        }
        if (decision.detect) {
          inFlight++;
          pending.push(track(this.detectFrame(frame, decision.changedFraction), true));
        } else {
          pending.push(track(Promise.resolve({ stored: storedFrame(frame, false, decision.changedFraction, []) }), false));
        }
        // Bounded: at most `concurrency` frames wait for the detector, and results are drained
        // in frame order as soon as the oldest one is ready.
        while (inFlight >= this.deps.detector.concurrency || pending.length >= MAX_PENDING_FRAMES || pending[0]?.settled) {
          await settleHead();
        }
      }
      while (pending.length > 0) await settleHead();
      if (this.deps.assembly && last) this.batch.add(this.deps.assembly.finish(last.timestampMs, last.index), last.timestampMs);
      await this.commit();
      return this.processed;
    } catch (error) {
      // What is in the batch is complete and in order: keep it so a resume redoes less.
      try {
        await this.commit();
      } catch (commitError) {
        this.deps.logger.error({ err: commitError }, 'could not store the last results before stopping');
      }
      throw error;
    } finally {
      await Promise.allSettled(pending.map((p) => p.result));
    }
  }

  /** Rebuild tracker and event state from what an interrupted run already stored. */
  private async replayCommitted(lastFrameIndex: number): Promise<void> {
    if (!this.deps.assembly || lastFrameIndex < 0) return;
    for (const frame of await this.deps.store.readFrames(this.settings.run.id, lastFrameIndex)) {
      await this.deps.assembly.step({ ...frame, candidates: frame.detections.map(({ trackId: _t, ...d }) => d) }, { render: false });
    }
  }

  private async commit(): Promise<void> {
    if (this.batch.empty) return;
    const { frames, tracks, events } = this.batch;
    this.batch = new CommitBatch();
    const committed = [...events.values()];
    try {
      await this.deps.store.commitFrames(this.settings.run.id, frames, {
        tracks: [...tracks.values()],
        events: committed.map((c) => c.stored),
        ...(this.settings.fence ? { fence: this.settings.fence() } : {}),
      });
    } catch (error) {
      this.settings.onFramesLost?.(frames.length);
      throw error;
    }
    this.lastCommit = this.deps.clock.now();
    if (committed.length === 0) return;
    const changes = committed.map(({ stored, frameMs }): CommittedEvent => {
      const change = this.knownEvents.has(stored.event.id) ? 'update' : 'new';
      this.knownEvents.add(stored.event.id);
      return { stored, change, frameMs };
    });
    await this.deps.onEventsCommitted?.(changes);
  }

  private async detectFrame(frame: Frame, changedFraction: number): Promise<DetectedFrame> {
    const candidates = this.candidates(await this.deps.detector.detect(frame));
    const confident = candidates.some((d) => d.confident);
    const imagePath = confident && this.deps.archive ? await this.deps.archive.save({ runId: this.settings.run.id, frameIndex: frame.index }, frame) : undefined;
    return { stored: storedFrame(frame, true, changedFraction, candidates, imagePath), image: frame };
  }

  /** The camera's labels only, above their minimum area; marked confident when above their label's score. */
  private candidates(detections: readonly Detection[]): StoredDetection[] {
    const { labels, confidence } = this.settings;
    const wanted = new Set(labels);
    return detections
      .filter((d) => wanted.has(d.label) && boxArea(d.box) >= filterFor(d.label, confidence).minArea)
      .map((d) => ({ ...d, confident: d.score >= filterFor(d.label, confidence).minScore }));
  }
}

function storedFrame(frame: Frame, detected: boolean, changedFraction: number, detections: StoredDetection[], imagePath?: string): StoredFrame {
  return {
    index: frame.index,
    timestampMs: frame.timestampMs,
    ptsSeconds: frame.ptsSeconds,
    detected,
    changedFraction,
    detections,
    ...(imagePath !== undefined ? { imagePath } : {}),
  };
}

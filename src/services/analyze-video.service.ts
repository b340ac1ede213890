import { createHash } from 'node:crypto';
import type { DetectionFilterOptions } from '../domain/detection.ts';
import { isVigilError, VigilError, type ErrorCode } from '../domain/errors.ts';
import { EventEngine } from '../domain/events/event-engine.ts';
import { matchEvents } from '../domain/events/event-matching.ts';
import { restyleEvent, wordingDiffers } from '../domain/events/restyle.ts';
import type { EventType } from '../domain/events/event-types.ts';
import { scaledFrameSize, type Size } from '../domain/geometry.ts';
import type { MotionGateOptions } from '../domain/motion-gate.ts';
import { redactUrlCredentials } from '../domain/redact.ts';
import { resolveRules, type RuleSpec } from '../domain/rules/rule-spec.ts';
import { resolveStartTime, type StartTimeSource } from '../domain/source-time.ts';
import type { Frame } from '../domain/frame.ts';
import type { AnalysisStore, RunRecord, StoredEvent, StoredFrame, WriteFence } from '../ports/analysis-store.ts';
import type { Detector } from '../ports/detector.ts';
import type { EventMedia } from '../ports/event-media.ts';
import type { EventNotifier } from '../ports/event-feed.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { FrameArchive } from '../ports/frame-archive.ts';
import type { Clock, Logger } from '../ports/logger.ts';
import type { InputShortfall, VideoInfo, VideoInput } from '../ports/video-input.ts';
import { busyError, shortfallMessage } from './analysis-messages.ts';
import { ruleIdentity, rulePresentation, samePresentation, storedPresentation, withPresentation } from './analysis-presentation.ts';
import { cameraTracker } from './camera-tracker.ts';
import { EventAssembly } from './event-assembly.ts';
import { FramePipeline, type CommittedEvent } from './frame-pipeline.ts';

/** How often a running analysis tells other processes it is alive, besides every commit. */
const HEARTBEAT_EVERY_MS = 5_000;
/** Widest frame the detector sees when the camera does not set `detect_width`. */
const DEFAULT_MAX_DETECT_WIDTH = 1280;
const BAD_INPUT_CODES: ReadonlySet<ErrorCode> = new Set(['decode_failed', 'input_unreadable', 'input_empty', 'input_not_found']);

export interface TrackerSettings {
  lowScore: number;
  lostSeconds: number;
  minHits: number;
  matchIou: number;
}

export interface CameraAnalysisSettings {
  cameraId: string;
  sampleFps: number;
  detectWidth?: number;
  labels: readonly string[];
  timeZone: string;
  /** An explicit start instant for files (from config), overriding name and mtime. */
  startTimeMs?: number;
  motion: MotionGateOptions;
  /** Per-label score and area thresholds that make a detection count. */
  confidence: DetectionFilterOptions;
  tracker: TrackerSettings;
  rules: RuleSpec;
  /** How RTSP streams are read: TCP unless the camera only speaks UDP. */
  rtspTransport?: 'tcp' | 'udp';
}

/** What a live camera adds to an analysis: its frame queue and observers. */
export interface LiveSession {
  /** Wraps the decoded frames (the camera's bounded queue that drops the oldest). */
  frames: (decoded: AsyncIterable<Frame>) => AsyncIterable<Frame>;
  onFrameStored?: (frame: StoredFrame) => void;
  /** Analysed frames that could not be stored (their batch's commit failed). */
  onFramesLost?: (count: number) => void;
  onEventsCommitted?: (events: readonly CommittedEvent[]) => void | Promise<void>;
  /** The camera's lease, when workers share the storage: every write batch is fenced by it. */
  fence?: () => WriteFence;
}

export interface AnalyzeRequest {
  input: string;
  /**
   * Set for a live camera: a stream URL, or a file played in a loop as if it were one. Every
   * session is a run of its own, frames are stamped on arrival, and it ends only when the input
   * does (or the signal stops it).
   */
  live?: LiveSession;
  camera: CameraAnalysisSettings;
  /** Everything about the detector that changes results (model, thresholds); part of the run's identity. */
  detectorSettings: unknown;
  signal: AbortSignal;
  onStart?: (info: AnalysisStart) => void;
  onProgress?: (progress: AnalysisProgress) => void;
}

export interface AnalysisStart {
  video: VideoInfo;
  frameSize: Size;
  sampleFps: number;
  expectedFrames?: number;
  resumeFromFrame: number;
}

export interface AnalysisProgress {
  framesDone: number;
  expectedFrames?: number;
  /** Frames per second processed in this session. */
  fps: number;
  etaSeconds?: number;
}

export type AnalysisOutcome = 'analyzed' | 'resumed' | 'already_analyzed';

export interface AnalysisSummary {
  outcome: AnalysisOutcome;
  runId: number;
  cameraId: string;
  input: string;
  video: { codec: string; width: number; height: number; fps: number; durationSeconds?: number };
  frameSize: Size;
  sampleFps: number;
  startTime: string;
  startTimeSource: StartTimeSource;
  framesDecoded: number;
  framesDetected: number;
  framesSkipped: number;
  detections: number;
  detectionsByLabel: Record<string, number>;
  /** Work done by this invocation only (0 when already analyzed). */
  session: { framesProcessed: number; elapsedSeconds: number; framesPerSecond: number };
  /**
   * Set when the file ends before its container says it does (truncated or damaged): what is
   * missing. The events of the readable part are stored, as from an incomplete file.
   */
  incomplete?: { message: string };
  tracks: number;
  events: EventBrief[];
}

export interface EventBrief {
  id: string;
  type: EventType;
  rule: string;
  start: string;
  end: string;
  labels: string[];
  actors: string[];
  summary: { en: string; zhHant: string };
  snapshot?: string;
}

export interface AnalyzeVideoDeps {
  videoInput: VideoInput;
  detector: Detector;
  store: AnalysisStore;
  events: EventStore;
  archive?: FrameArchive;
  eventMedia?: EventMedia;
  /** Queues the background work of closed events (descriptions when on, embeddings); called again when their text changes. */
  descriptions?: { enqueueClosed(events: readonly StoredEvent[]): Promise<unknown> };
  /** Told about every event stored or updated. */
  notifier?: EventNotifier;
  logger: Logger;
  clock: Clock;
}

function stableHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);
}

/**
 * The version of what turns detections into events (the tracker and the rules), part of every
 * run's identity: bump it when they give other events for the same detections, so that a file
 * analysed by an older Vigil is analysed again when asked (replacing its events) instead of being
 * reported as already analysed. 2: observation-centric tracking and the Kalman velocity noise of
 * 1/120; 3: a weak detection that fits a track clearly better keeps it (both for exact answers).
 */
export const ANALYSIS_VERSION = 3;

/**
 * Turns a video into stored, timestamped detections: probe, decode sampled frames, gate on
 * motion, detect in parallel, and commit results in frame order in small transactions, so
 * that an interruption at any moment leaves a consistent database that a re-run resumes.
 */
export class AnalyzeVideoService {
  constructor(private readonly deps: AnalyzeVideoDeps) {}

  async analyze(request: AnalyzeRequest): Promise<AnalysisSummary> {
    const { videoInput, store, clock } = this.deps;
    const { camera, signal } = request;
    const logger = this.deps.logger.child({ camera: camera.cameraId });
    const video = await videoInput.probe(request.input, signal, camera.rtspTransport ? { rtspTransport: camera.rtspTransport } : {});
    const live = request.live !== undefined || video.kind === 'stream';
    const frameSize = scaledFrameSize(video, Math.min(camera.detectWidth ?? DEFAULT_MAX_DETECT_WIDTH, camera.detectWidth ?? video.width));
    const sampleFps = Math.min(camera.sampleFps, video.fps);
    const start = resolveStartTime({
      kind: live ? 'stream' : 'file',
      ...(camera.startTimeMs !== undefined ? { configuredStartMs: camera.startTimeMs } : {}),
      fileName: video.uri.split(/[\\/]/).pop() ?? video.uri,
      ...(video.mtimeMs !== undefined ? { mtimeMs: video.mtimeMs } : {}),
      ...(video.durationSeconds !== undefined ? { durationSeconds: video.durationSeconds } : {}),
      timeZone: camera.timeZone,
      nowMs: clock.now(),
    });
    const identity = {
      analysis: ANALYSIS_VERSION,
      detector: request.detectorSettings,
      sampleFps,
      frameSize,
      labels: [...camera.labels].sort(),
      motion: camera.motion,
      confidence: camera.confidence,
      tracker: camera.tracker,
      rules: ruleIdentity(camera.rules),
      startTimeMs: start.startMs,
      // A live stream never repeats: every session is a run of its own.
      ...(live ? { session: clock.now() } : {}),
    };
    // Display names, the camera's name and the time zone word the events; they are not part of
    // the run's identity, so renaming a zone rewords the stored events instead of redoing them.
    const presentation = rulePresentation(camera.rules);
    const settingsKey = stableHash(identity);
    const sourceId = await store.upsertSource(video, camera.cameraId);
    const claim = await store.claimRun({
      sourceId,
      cameraId: camera.cameraId,
      settingsKey,
      settings: { ...identity, presentation },
      startTimeMs: start.startMs,
      startTimeSource: start.source,
      startedAt: clock.now(),
    });
    const base = { video, frameSize, sampleFps, start, cameraId: camera.cameraId, input: request.input };

    if (claim.kind === 'busy') throw busyError(claim, request.input, camera.cameraId);
    if (claim.kind === 'complete') {
      await this.reword(claim.run, camera.rules, frameSize, logger);
      logger.info({ runId: claim.run.id }, 'already analyzed with the same settings; nothing to do');
      return await this.summarize(claim.run, base, 'already_analyzed', { framesProcessed: 0, elapsedSeconds: 0 });
    }
    const run = claim.run;
    const resumed = claim.kind === 'reopened';
    if (resumed) {
      await this.deps.archive?.pruneAfter(run.id, run.lastFrameIndex);
      await this.reword(run, camera.rules, frameSize, logger);
      logger.info({ runId: run.id, fromFrame: run.lastFrameIndex + 1 }, 'resuming an unfinished analysis');
    }
    const expectedFrames = !live && video.durationSeconds !== undefined ? Math.floor(video.durationSeconds * sampleFps) : undefined;
    request.onStart?.({ video, frameSize, sampleFps, ...(expectedFrames !== undefined ? { expectedFrames } : {}), resumeFromFrame: run.lastFrameIndex + 1 });

    const startedMs = clock.now();
    // Other processes learn this run is being written from its heartbeat: every commit renews
    // it, and this timer does between commits (a slow detector, a stream that pauses).
    const heartbeat = setInterval(() => {
      store.heartbeat(run.id).catch((error: unknown) => logger.warn({ err: error, runId: run.id }, 'could not renew the analysis heartbeat'));
    }, HEARTBEAT_EVERY_MS);
    heartbeat.unref?.();
    let processed: number;
    const ended: { shortfall?: InputShortfall } = {};
    try {
      const known = resumed ? (await this.deps.events.listEvents({ runId: run.id })).map((e) => e.event.id) : [];
      const pipeline = this.framePipeline(run, video, {
        frameSize,
        sampleFps,
        startMs: start.startMs,
        request,
        expectedFrames,
        startedMs,
        logger,
        known,
        onShortfall: (shortfall) => (ended.shortfall = shortfall),
      });
      processed = await pipeline.run();
    } catch (error) {
      await this.recordFailure(run, error, { aborted: signal.aborted, live }, logger);
      if (signal.aborted) throw new VigilError('aborted', 'Analysis interrupted; run the same command again to resume', { cause: error });
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
    let finished = await store.finishRun(run.id, 'complete', clock.now());
    const { shortfall } = ended;
    if (shortfall) {
      // Everything readable was analysed and its events are kept, marked as from a file that ends early.
      finished = await store.markInputIncomplete(run.id, shortfallMessage(video.uri, shortfall));
      logger.info({ runId: run.id, ...shortfall }, 'the input ends before its declared end');
    }
    // A file analysed again with other settings replaces the earlier analysis; a live session
    // is footage of its own time and never replaces the sessions before it.
    if (!live) await this.dropSupersededRuns(run, logger);
    const elapsedSeconds = (clock.now() - startedMs) / 1000;
    return await this.summarize(finished, base, resumed ? 'resumed' : 'analyzed', { framesProcessed: processed, elapsedSeconds });
  }

  /**
   * The stored events of a run worded with the current presentation settings (display names,
   * camera name, time zone), re-indexed for search when that changed their words. Their
   * descriptions, ids and media stay: nothing the analysis found has changed.
   */
  private async reword(run: RunRecord, rules: RuleSpec, frameSize: Size, logger: Logger): Promise<void> {
    const current = rulePresentation(rules);
    const previous = storedPresentation(run.settings);
    if (previous && samePresentation(previous, current)) return;
    const before = resolveRules(previous ? withPresentation(rules, previous) : rules, frameSize);
    const after = resolveRules(rules, frameSize);
    const changed: StoredEvent[] = [];
    for (const stored of await this.deps.events.listEvents({ runId: run.id })) {
      const event = restyleEvent(stored.event, before, after);
      if (wordingDiffers(stored.event, event)) changed.push({ ...stored, event });
    }
    await this.deps.store.rewriteEvents(changed);
    const settings = run.settings !== null && typeof run.settings === 'object' ? run.settings : {};
    await this.deps.store.updateRunSettings(run.id, { ...settings, presentation: current });
    if (changed.length > 0) {
      logger.info({ runId: run.id, events: changed.length }, 'names changed in the config; the stored events were reworded and re-indexed');
      this.deps.notifier?.notify(changed.map((stored) => ({ stored, change: 'update' as const })));
      // Their text changed: what indexes the text by meaning (embeddings) takes them again.
      await this.deps.descriptions?.enqueueClosed(changed.filter((stored) => stored.event.status === 'closed'));
    }
  }

  private framePipeline(
    run: RunRecord,
    video: VideoInfo,
    ctx: {
      frameSize: Size;
      sampleFps: number;
      startMs: number;
      request: AnalyzeRequest;
      expectedFrames: number | undefined;
      startedMs: number;
      logger: Logger;
      known: readonly string[];
      onShortfall: (shortfall: InputShortfall) => void;
    },
  ): FramePipeline {
    const { camera } = ctx.request;
    const rules = resolveRules(camera.rules, ctx.frameSize);
    const assembly = new EventAssembly({
      runId: run.id,
      rules,
      tracker: cameraTracker(camera, ctx.sampleFps),
      engine: new EventEngine(rules, { idPrefix: `${camera.cameraId}-r${run.id}` }),
      ...(this.deps.eventMedia ? { media: this.deps.eventMedia } : {}),
      logger: ctx.logger,
    });
    const { descriptions, notifier } = this.deps;
    const live = ctx.request.live;
    const onEventsCommitted = async (events: readonly CommittedEvent[]) => {
      await descriptions?.enqueueClosed(events.map((e) => e.stored));
      notifier?.notify(events.map(({ stored, change }) => ({ stored, change })));
      await live?.onEventsCommitted?.(events);
    };
    return new FramePipeline(
      { ...this.deps, assembly, logger: ctx.logger, onEventsCommitted },
      {
        run,
        video,
        decode: {
          sampleFps: ctx.sampleFps,
          width: ctx.frameSize.width,
          height: ctx.frameSize.height,
          startTimeMs: ctx.startMs,
          ...(live && video.kind === 'file' ? { loop: true } : {}),
          signal: ctx.request.signal,
          onShortfall: ctx.onShortfall,
        },
        motion: camera.motion,
        labels: camera.labels,
        confidence: camera.confidence,
        ...(live ? { frames: live.frames } : {}),
        ...(live?.fence ? { fence: live.fence } : {}),
        ...(live?.onFramesLost ? { onFramesLost: live.onFramesLost } : {}),
        knownEventIds: ctx.known,
        onFrameStored: (framesDone, processed, frame) => {
          live?.onFrameStored?.(frame);
          this.reportProgress(ctx, framesDone, processed);
        },
      },
    );
  }

  /**
   * A completed analysis replaces earlier ones of the same input and camera (other settings). The
   * descriptions models wrote of the old events (paid calls) go to the new events that are the
   * same happening before the old run is deleted.
   */
  private async dropSupersededRuns(run: RunRecord, logger: Logger): Promise<void> {
    const others = await this.deps.store.otherRuns(run.sourceId, run.cameraId, run.id);
    const current = others.length > 0 ? (await this.deps.events.listEvents({ runId: run.id })).map((e) => e.event) : [];
    for (const old of others) {
      const pairs = matchEvents(
        (await this.deps.events.listEvents({ runId: old })).map((e) => e.event),
        current,
      );
      const carried = pairs.length > 0 ? await this.deps.store.carryOverDescriptions(pairs) : 0;
      if (carried > 0) logger.info({ runId: old, replacedBy: run.id, descriptions: carried }, 'kept the descriptions of events found again');
      await this.deps.store.deleteRun(old);
      await this.deps.archive?.removeRun(old);
      logger.info({ runId: old, replacedBy: run.id }, 'removed an earlier analysis of the same input');
    }
  }

  /**
   * An interrupted or otherwise failed run keeps its committed frames so that the next run
   * resumes. A bad file (truncated, damaged, unreadable) keeps nothing: its partial results
   * would be mistaken for a full analysis, and re-running cannot complete them. A live session
   * that ends in garbled data keeps what it stored: that footage happened and is not replayed.
   */
  private async recordFailure(run: RunRecord, error: unknown, how: { aborted: boolean; live: boolean }, logger: Logger): Promise<void> {
    const { store, clock } = this.deps;
    const { aborted } = how;
    // Another process took the run over: it is theirs now, and nothing here may touch it.
    if (isVigilError(error) && error.code === 'busy') return;
    try {
      if (!aborted && !how.live && isVigilError(error) && BAD_INPUT_CODES.has(error.code)) {
        await store.deleteRun(run.id);
        await this.deps.archive?.removeRun(run.id);
        return;
      }
      // The camera moved to another worker: this session ends here, as interrupted (its run is
      // still this process's; only its camera's next frames are another worker's).
      const leaseLost = isVigilError(error) && error.code === 'lease_lost';
      const message = aborted ? 'interrupted' : error instanceof Error ? error.message : String(error);
      await store.finishRun(run.id, aborted || leaseLost ? 'interrupted' : 'failed', clock.now(), redactUrlCredentials(message));
    } catch (recordError) {
      // The original error is what the user needs to see (a full disk fails this write too); the
      // run stays as last committed and its stale heartbeat lets the next run resume it.
      logger.error({ err: recordError, runId: run.id }, 'could not record how the analysis ended');
    }
  }

  private reportProgress(
    ctx: { expectedFrames: number | undefined; request: AnalyzeRequest; startedMs: number },
    framesDone: number,
    processedThisSession: number,
  ): void {
    if (!ctx.request.onProgress) return;
    const elapsed = (this.deps.clock.now() - ctx.startedMs) / 1000;
    const fps = elapsed > 0 ? processedThisSession / elapsed : 0;
    const remaining = ctx.expectedFrames !== undefined ? Math.max(0, ctx.expectedFrames - framesDone) : undefined;
    ctx.request.onProgress({
      framesDone,
      ...(ctx.expectedFrames !== undefined ? { expectedFrames: ctx.expectedFrames } : {}),
      fps,
      ...(remaining !== undefined && fps > 0 ? { etaSeconds: remaining / fps } : {}),
    });
  }

  private async summarize(
    run: RunRecord,
    base: { video: VideoInfo; frameSize: Size; sampleFps: number; start: { startMs: number; source: StartTimeSource }; cameraId: string; input: string },
    outcome: AnalysisOutcome,
    session: { framesProcessed: number; elapsedSeconds: number },
  ): Promise<AnalysisSummary> {
    const { video } = base;
    return {
      outcome,
      runId: run.id,
      cameraId: base.cameraId,
      input: redactUrlCredentials(base.input),
      video: {
        codec: video.codec,
        width: video.width,
        height: video.height,
        fps: video.fps,
        ...(video.durationSeconds !== undefined ? { durationSeconds: video.durationSeconds } : {}),
      },
      frameSize: base.frameSize,
      sampleFps: base.sampleFps,
      startTime: new Date(run.startTimeMs).toISOString(),
      startTimeSource: base.start.source,
      framesDecoded: run.counts.framesDecoded,
      framesDetected: run.counts.framesDetected,
      framesSkipped: run.counts.framesSkipped,
      detections: run.counts.detections,
      detectionsByLabel: await this.deps.store.detectionCountsByLabel(run.id),
      session: {
        ...session,
        framesPerSecond: session.elapsedSeconds > 0 ? session.framesProcessed / session.elapsedSeconds : 0,
      },
      ...(run.inputIncomplete !== undefined ? { incomplete: { message: run.inputIncomplete } } : {}),
      tracks: await this.deps.store.countTracks(run.id),
      events: (await this.deps.events.listEvents({ runId: run.id })).map(({ event, snapshotPath }) => ({
        id: event.id,
        type: event.type,
        rule: event.rule,
        start: new Date(event.startMs).toISOString(),
        end: new Date(event.endMs).toISOString(),
        labels: event.labels,
        actors: event.actors.map((a) => a.trackId),
        summary: event.summary,
        ...(snapshotPath !== undefined ? { snapshot: snapshotPath } : {}),
      })),
    };
  }
}

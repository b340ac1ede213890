import { createHash } from 'node:crypto';
import type { Detection } from '../domain/detection.ts';
import { isVigilError, VigilError, type ErrorCode } from '../domain/errors.ts';
import type { Frame } from '../domain/frame.ts';
import { scaledFrameSize, type Size } from '../domain/geometry.ts';
import { MotionGate, type MotionGateOptions } from '../domain/motion-gate.ts';
import { redactUrlCredentials } from '../domain/redact.ts';
import { resolveStartTime, type StartTimeSource } from '../domain/source-time.ts';
import type { AnalysisStore, RunRecord, StoredFrame } from '../ports/analysis-store.ts';
import type { Detector } from '../ports/detector.ts';
import type { FrameArchive } from '../ports/frame-archive.ts';
import type { Clock, Logger } from '../ports/logger.ts';
import type { VideoInfo, VideoInput } from '../ports/video-input.ts';

/** Widest frame the detector sees when the camera does not set `detect_width`. */
const DEFAULT_MAX_DETECT_WIDTH = 1280;
const COMMIT_EVERY_FRAMES = 25;
const BAD_INPUT_CODES: ReadonlySet<ErrorCode> = new Set(['decode_failed', 'input_unreadable', 'input_empty', 'input_not_found']);
const COMMIT_EVERY_MS = 1000;
/** Frames decoded but not yet stored; skipped frames are tiny, so this only guards against pathological stalls. */
const MAX_PENDING_FRAMES = 256;

export interface CameraAnalysisSettings {
  cameraId: string;
  sampleFps: number;
  detectWidth?: number;
  labels: readonly string[];
  timeZone: string;
  /** An explicit start instant for files (from config), overriding name and mtime. */
  startTimeMs?: number;
  motion: MotionGateOptions;
}

export interface AnalyzeRequest {
  input: string;
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
}

export interface AnalyzeVideoDeps {
  videoInput: VideoInput;
  detector: Detector;
  store: AnalysisStore;
  archive?: FrameArchive;
  logger: Logger;
  clock: Clock;
}

function stableHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);
}

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
    const video = await videoInput.probe(request.input, signal);
    const frameSize = scaledFrameSize(video, Math.min(camera.detectWidth ?? DEFAULT_MAX_DETECT_WIDTH, camera.detectWidth ?? video.width));
    const sampleFps = Math.min(camera.sampleFps, video.fps);
    const start = resolveStartTime({
      kind: video.kind,
      ...(camera.startTimeMs !== undefined ? { configuredStartMs: camera.startTimeMs } : {}),
      fileName: video.uri.split(/[\\/]/).pop() ?? video.uri,
      ...(video.mtimeMs !== undefined ? { mtimeMs: video.mtimeMs } : {}),
      ...(video.durationSeconds !== undefined ? { durationSeconds: video.durationSeconds } : {}),
      timeZone: camera.timeZone,
      nowMs: clock.now(),
    });
    const settings = {
      detector: request.detectorSettings,
      sampleFps,
      frameSize,
      labels: [...camera.labels].sort(),
      motion: camera.motion,
      startTimeMs: start.startMs,
      // A live stream never repeats: every session is a run of its own.
      ...(video.kind === 'stream' ? { session: clock.now() } : {}),
    };
    const settingsKey = stableHash(settings);
    const sourceId = store.upsertSource(video, camera.cameraId);
    const existing = store.findRun(sourceId, camera.cameraId, settingsKey);
    const base = { video, frameSize, sampleFps, start, cameraId: camera.cameraId, input: request.input };

    if (existing?.status === 'complete') {
      logger.info({ runId: existing.id }, 'already analyzed with the same settings; nothing to do');
      return this.summarize(existing, base, 'already_analyzed', { framesProcessed: 0, elapsedSeconds: 0 });
    }
    let run: RunRecord;
    if (existing) {
      run = store.reopenRun(existing.id, clock.now());
      await this.deps.archive?.pruneAfter(run.id, run.lastFrameIndex);
      logger.info({ runId: run.id, fromFrame: run.lastFrameIndex + 1 }, 'resuming an unfinished analysis');
    } else {
      run = store.createRun({
        sourceId,
        cameraId: camera.cameraId,
        settingsKey,
        settings,
        startTimeMs: start.startMs,
        startTimeSource: start.source,
        startedAt: clock.now(),
      });
    }
    const expectedFrames = video.durationSeconds !== undefined ? Math.floor(video.durationSeconds * sampleFps) : undefined;
    request.onStart?.({ video, frameSize, sampleFps, ...(expectedFrames !== undefined ? { expectedFrames } : {}), resumeFromFrame: run.lastFrameIndex + 1 });

    const startedMs = clock.now();
    let processed: number;
    try {
      processed = await this.runPipeline(run, video, { ...base, expectedFrames, request, startedMs });
    } catch (error) {
      await this.recordFailure(run, error, signal.aborted);
      if (signal.aborted) throw new VigilError('aborted', 'Analysis interrupted; run the same command again to resume', { cause: error });
      throw error;
    }
    const finished = store.finishRun(run.id, 'complete', clock.now());
    const elapsedSeconds = (clock.now() - startedMs) / 1000;
    return this.summarize(finished, base, existing ? 'resumed' : 'analyzed', { framesProcessed: processed, elapsedSeconds });
  }

  private async runPipeline(
    run: RunRecord,
    video: VideoInfo,
    ctx: { frameSize: Size; sampleFps: number; start: { startMs: number }; expectedFrames: number | undefined; request: AnalyzeRequest; startedMs: number },
  ): Promise<number> {
    const { detector, store, clock } = this.deps;
    const { request, frameSize } = ctx;
    const gate = new MotionGate(request.camera.motion);
    const labels = new Set(request.camera.labels);
    const resumeAfter = run.lastFrameIndex;
    const pending: PendingFrame[] = [];
    let inFlight = 0;
    let batch: StoredFrame[] = [];
    let lastCommit = clock.now();
    let processed = 0;

    const commit = () => {
      if (batch.length === 0) return;
      store.commitFrames(run.id, batch);
      batch = [];
      lastCommit = clock.now();
    };
    const settleHead = async () => {
      const head = pending.shift()!;
      if (head.detecting) inFlight--;
      const stored = await head.result;
      batch.push(stored);
      processed++;
      if (batch.length >= COMMIT_EVERY_FRAMES || clock.now() - lastCommit >= COMMIT_EVERY_MS) commit();
      this.reportProgress(ctx, resumeAfter + 1 + processed, processed);
    };

    try {
      const frames = this.deps.videoInput.frames(video, {
        sampleFps: ctx.sampleFps,
        width: frameSize.width,
        height: frameSize.height,
        startTimeMs: ctx.start.startMs,
        signal: request.signal,
      });
      for await (const frame of frames) {
        // The gate sees every frame, even those already stored, so that a resumed run makes
        // exactly the decisions an uninterrupted one would.
        const decision = gate.decide(frame);
        if (frame.index <= resumeAfter) continue;
        if (decision.detect) {
          inFlight++;
          pending.push(track(this.detectFrame(frame, run.id, labels, decision.changedFraction), true));
        } else {
          pending.push(track(Promise.resolve(storedFrame(frame, false, decision.changedFraction, [])), false));
        }
        // Bounded: at most `concurrency` frames wait for the detector, and results are drained
        // in frame order as soon as the oldest one is ready.
        while (inFlight >= detector.concurrency || pending.length >= MAX_PENDING_FRAMES || pending[0]?.settled) {
          await settleHead();
        }
      }
      while (pending.length > 0) await settleHead();
      commit();
      return processed;
    } catch (error) {
      // Results already in `batch` are complete and in order: keep them so a resume redoes less.
      try {
        commit();
      } catch (commitError) {
        this.deps.logger.error({ err: commitError }, 'could not store the last results before stopping');
      }
      throw error;
    } finally {
      await Promise.allSettled(pending.map((p) => p.result));
    }
  }

  /**
   * An interrupted or otherwise failed run keeps its committed frames so that the next run
   * resumes. A bad input (truncated, damaged, unreadable) keeps nothing: its partial results
   * would be mistaken for a full analysis, and re-running cannot complete them.
   */
  private async recordFailure(run: RunRecord, error: unknown, aborted: boolean): Promise<void> {
    const { store, clock } = this.deps;
    if (!aborted && isVigilError(error) && BAD_INPUT_CODES.has(error.code)) {
      store.deleteRun(run.id);
      await this.deps.archive?.pruneAfter(run.id, -1);
      return;
    }
    const message = aborted ? 'interrupted' : error instanceof Error ? error.message : String(error);
    store.finishRun(run.id, aborted ? 'interrupted' : 'failed', clock.now(), redactUrlCredentials(message));
  }

  private async detectFrame(frame: Frame, runId: number, labels: ReadonlySet<string>, changedFraction: number): Promise<StoredFrame> {
    const detections = (await this.deps.detector.detect(frame)).filter((d) => labels.has(d.label));
    const imagePath =
      detections.length > 0 && this.deps.archive ? await this.deps.archive.save({ runId, frameIndex: frame.index }, frame) : undefined;
    return storedFrame(frame, true, changedFraction, detections, imagePath);
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

  private summarize(
    run: RunRecord,
    base: { video: VideoInfo; frameSize: Size; sampleFps: number; start: { startMs: number; source: StartTimeSource }; cameraId: string; input: string },
    outcome: AnalysisOutcome,
    session: { framesProcessed: number; elapsedSeconds: number },
  ): AnalysisSummary {
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
      detectionsByLabel: this.deps.store.detectionCountsByLabel(run.id),
      session: {
        ...session,
        framesPerSecond: session.elapsedSeconds > 0 ? session.framesProcessed / session.elapsedSeconds : 0,
      },
    };
  }
}

function storedFrame(frame: Frame, detected: boolean, changedFraction: number, detections: Detection[], imagePath?: string): StoredFrame {
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

interface PendingFrame {
  result: Promise<StoredFrame>;
  /** Whether this frame occupies a detector slot until drained. */
  detecting: boolean;
  settled: boolean;
}

function track(result: Promise<StoredFrame>, detecting: boolean): PendingFrame {
  const entry: PendingFrame = { result, detecting, settled: false };
  const markSettled = () => {
    entry.settled = true;
  };
  result.then(markSettled, markSettled);
  return entry;
}
